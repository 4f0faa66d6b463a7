// `bind ... accept-proxy`: the connection starts with a PROXY protocol header (v1 or v2,
// ./../net/proxy-protocol.ts), read before anything else and taken off the stream. Its
// addresses become the session's: the client socket's remoteAddress/remotePort/localAddress/
// localPort are replaced on that socket object, so every reader (fetches, ACLs, `balance
// source`, `option forwardfor`, the header a `send-proxy` server gets) sees them, as HAProxy
// replaces the session's src/dst. `tcp-request connection` rules run before, on the real
// addresses (the session code calls this after them).
//
// Facts (haproxy 2.6.12, test/proxy-protocol.test.ts): the header must be whole in the first
// read; a missing, bad or cut header closes the connection without a word, with a reset when
// bytes were received (HAProxy peeked them and closes with them unread) and a FIN when the
// client closed or `timeout client` passed without a byte.
//
// Three ways in, one rule: the first read decides.
// - a socket read through 'data' events (JS listeners, the JS TCP session): the first chunk;
//   what follows the header is unshifted for the session;
// - a socket reading into a ReadSink (HTTP on native fds): the first early read; the rest
//   stays in `early` for the wire;
// - a raw fd bound for the splice forwarder: read once through a dup of it (exactly one read,
//   then the dup is closed): with nothing after the header the fd is spliced as usual, else it
//   goes to the JS session with those bytes.

import net from 'node:net';
import { buildProxyHeader, parseProxyHeader, type ProxyError, type ProxyHeader, type SendProxy } from '../net/proxy-protocol.js';
import type { ReadSink } from '../http/wire.js';
import type { NativeAddon } from '../native/addon.js';
import type { LiveRegistry } from './live-sessions.js';

export type HeaderOutcome =
  | { readonly ok: true; readonly header: ProxyHeader; readonly rest: Buffer }
  | { readonly ok: false; readonly error: ProxyError; readonly received: number };

/** Where a socket keeps the header it arrived with (for `proxy-v2-options authority`). */
const HEADER = Symbol('proxy-header');

interface ProxiedSocket extends net.Socket {
  [HEADER]?: ProxyHeader;
}

/** The header `sock` arrived with, if its listener expected one. */
export function proxyHeaderOf(sock: net.Socket): ProxyHeader | undefined {
  return (sock as ProxiedSocket)[HEADER];
}

/**
 * Make the header's addresses the socket's own (a LOCAL or UNKNOWN header keeps the real
 * ones). Own properties shadow net.Socket's getters on this one object: nothing changes for
 * sockets of listeners without accept-proxy.
 */
export function adoptHeader(sock: net.Socket, header: ProxyHeader): void {
  const e = header.endpoints;
  const props: PropertyDescriptorMap = { [HEADER]: { value: header } };
  if (e) {
    props['remoteAddress'] = { value: e.src };
    props['remotePort'] = { value: e.srcPort };
    props['remoteFamily'] = { value: e.family };
    props['localAddress'] = { value: e.dst };
    props['localPort'] = { value: e.dstPort };
    props['localFamily'] = { value: e.family };
  }
  Object.defineProperties(sock, props);
}

/** Close a connection whose header was refused, as HAProxy does (see the top comment). */
export function refuseConnection(sock: net.Socket, received: number): void {
  if (received > 0 && !sock.destroyed) {
    try {
      sock.resetAndDestroy();
      return;
    } catch {
      // not TCP (unix@): a plain close
    }
  }
  sock.destroy();
}

const outcome = (first: Buffer | null, max: number, why: ProxyError): HeaderOutcome => {
  if (first === null) return { ok: false, error: why, received: 0 };
  const r = parseProxyHeader(first, max);
  if (!r.ok) return { ok: false, error: r.error, received: first.length };
  return { ok: true, header: r.header, rest: first.subarray(r.header.length) };
};

/**
 * Wait for the first read of `sock`, or its end, error or `timeoutMs` (0: no limit). `arm`
 * starts listening for the read (it may deliver at once) and returns how to stop.
 */
function firstRead(sock: net.Socket, timeoutMs: number, max: number, arm: (got: (d: Buffer) => void) => () => void): Promise<HeaderOutcome> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let disarm: (() => void) | null = null;
    const done = (first: Buffer | null, why: ProxyError): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      disarm?.();
      sock.off('end', onEnd);
      sock.off('close', onClose);
      sock.off('error', onClose);
      resolve(outcome(first, max, why));
    };
    const onEnd = (): void => done(null, 'empty');
    const onClose = (): void => done(null, 'abort');
    sock.once('end', onEnd);
    sock.once('close', onClose);
    sock.once('error', onClose);
    const stop = arm((d) => done(d, 'truncated'));
    if (settled) stop();
    else disarm = stop;
    if (!settled && timeoutMs > 0) timer = setTimeout(() => done(null, 'timeout'), timeoutMs);
  });
}

/**
 * The header from the first 'data' chunk of a paused socket; what follows it is put back in
 * front of the stream (unshift) and the socket is paused again.
 */
export function readHeader(sock: net.Socket, timeoutMs: number, max: number): Promise<HeaderOutcome> {
  const r = firstRead(sock, timeoutMs, max, (got) => {
    const onData = (d: Buffer): void => {
      sock.pause();
      got(d);
    };
    sock.on('data', onData);
    sock.resume();
    return () => sock.off('data', onData);
  });
  return r.then((o) => {
    if (o.ok && o.rest.length > 0) sock.unshift(o.rest);
    return o;
  });
}

/** The header from the first read of a socket reading into `sink`; the rest stays early. */
export function readHeaderFromSink(sock: net.Socket, sink: ReadSink, timeoutMs: number, max: number): Promise<HeaderOutcome> {
  const r = firstRead(sock, timeoutMs, max, (got) => {
    sink.onEarly = () => got(sink.early![0]!);
    if (sink.early?.length) got(sink.early[0]!);
    // 'end' comes only once the (empty) readable side flows.
    sock.resume();
    return () => {
      sink.onEarly = null;
    };
  });
  return r.then((o) => {
    if (o.ok && sink.early) {
      if (o.rest.length > 0) sink.early[0] = o.rest;
      else sink.early.shift();
    }
    return o;
  });
}

/**
 * The header of a raw fd, read through a dup of it that reads exactly once and is closed
 * again: the fd itself stays untouched for the splice forwarder. A refused connection is
 * closed here (fd included), as refuseConnection() does. The reading socket is in `live`
 * meanwhile (a hard stop closes it, and the connection with it).
 */
export async function readHeaderFromFd(addon: NativeAddon, fd: number, timeoutMs: number, max: number, live: LiveRegistry, feName = ''): Promise<HeaderOutcome> {
  let dup: number;
  try {
    dup = addon.dup(fd);
  } catch {
    addon.close(fd);
    return { ok: false, error: 'abort', received: 0 };
  }
  let deliver: ((d: Buffer) => void) | null = null;
  const buffer = Buffer.allocUnsafe(max);
  const probe = new net.Socket({
    fd: dup,
    readable: true,
    writable: true,
    allowHalfOpen: true,
    onread: {
      buffer,
      callback: (n: number, buf: Uint8Array): boolean => {
        deliver?.(Buffer.from(buf.subarray(0, n)));
        // One read only: what follows the header stays in the kernel for the forwarder.
        return false;
      },
    },
  } as net.SocketConstructorOpts & { onread: net.OnReadOpts });
  probe.on('error', () => undefined);
  live.add(probe, feName);
  const o = await firstRead(probe, timeoutMs, max, (got) => {
    deliver = got;
    probe.resume();
    return () => {
      deliver = null;
    };
  });
  if (o.ok) {
    probe.destroy();
    // Left in `live` until the caller's session has registered itself (it does so as soon as
    // this resolves): a soft stop waiting for the last session must not see none in between.
    setImmediate(() => live.delete(probe));
  } else {
    live.delete(probe);
    // The reset (SO_LINGER 0) is set on the socket both descriptors share; closing the last
    // one below sends it.
    refuseConnection(probe, o.received);
    addon.close(fd);
  }
  return o;
}

/**
 * The header a `send-proxy` / `send-proxy-v2` server gets first: the client socket's
 * addresses (those of its own PROXY header, when its listener had accept-proxy).
 */
export function proxyHeaderFor(spec: SendProxy, client: net.Socket): Buffer {
  return buildProxyHeader(spec, {
    family: client.remoteFamily,
    src: client.remoteAddress,
    srcPort: client.remotePort,
    dst: client.localAddress,
    dstPort: client.localPort,
    authority: proxyHeaderOf(client)?.authority ?? null,
  });
}
