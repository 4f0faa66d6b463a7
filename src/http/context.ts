// What the HTTP session needs per proxy, compiled once per worker from the plain model: the
// proxy's rule lists (src/rules/runtime), its connection mode (`option httpclose`,
// `http-server-close`, `http-keep-alive`), `http-reuse`, `option forwardfor` and
// `originalto`, `monitor-uri`, `http-send-name-header`, `option http-buffer-request`.

import net from 'node:net';
import type { ProxyModel } from '../config/model.js';
import type { SessionContext } from '../dataplane/tcp-session.js';
import type { CompiledProxyRules } from '../rules/runtime/compile.js';
import type { BackendState, Txn } from '../rules/runtime/txn.js';
import type { Verdict } from '../rules/runtime/verdict.js';
import type { Reply } from '../rules/runtime/reply.js';
import type { HttpLimits } from './codec/limits.js';
import type { ServerPool } from './pool.js';
import { compressionOf, type Compression } from './compress/index.js';
import { cookiePersistenceOf, type CookiePersistence } from './persist/cookie.js';

export type ConnMode = 'keep-alive' | 'server-close' | 'close';
export type ReuseMode = 'never' | 'safe' | 'aggressive' | 'always';

/**
 * `option forwardfor` or `option originalto` as one proxy sets it. HAProxy merges the
 * frontend's and the backend's (see addAddressHeader).
 */
export interface AddressOption {
  /** The header name as configured. */
  readonly header: string;
  readonly lower: string;
  /** Addresses to leave out (`except`), or null. */
  readonly except: net.BlockList | null;
  /** `if-none` (forwardfor only): add the header only when the request has none. */
  readonly ifNone: boolean;
}

export interface HttpProxy {
  readonly name: string;
  /**
   * `tcp-request content` rules, run for each request before the http-request rules (HAProxy
   * runs them per stream, and each HTTP request is one): true when one rejects it. The
   * payload fetches find nothing here, so nothing waits for more bytes.
   */
  contentRules(txn: Txn): boolean;
  /** A final verdict of the http-request rules (deny, return, redirect...), or null to go on. */
  requestRules(txn: Txn): Verdict | null;
  responseRules(txn: Txn): Verdict | null;
  afterResponseRules(txn: Txn): void;
  useBackend(txn: Txn): string | null;
  useServer(txn: Txn): string | null;
  readonly connMode: ConnMode;
  readonly reuse: ReuseMode;
  readonly forwardFor: AddressOption | null;
  readonly originalTo: AddressOption | null;
  /** `monitor-uri`, or null. */
  readonly monitorUri: string | null;
  /** `monitor fail` conditions: true when the monitor request must be answered 503. */
  monitorFail(txn: Txn): boolean;
  /** `http-send-name-header` (lower-case), or null. */
  readonly sendNameHeader: string | null;
  /** `option http-buffer-request`. */
  readonly bufferRequest: boolean;
  /** `timeout http-request` of this proxy (0: unset), for the waits on a request body. */
  readonly httpRequestTimeout: number;
  /** `timeout tarpit` (HAProxy: the connect timeout when unset). */
  readonly tarpitTimeout: number;
  /** `compression …` settings, null without any. */
  readonly compression: Compression | null;
  /** `cookie …` persistence of a backend, null without it. */
  readonly cookie: CookiePersistence | null;
  /** `option persist`: a cookie still designates a server that is down. */
  readonly persistDown: boolean;
  /** This proxy's own reply for an error status (errorfile, errorloc, http-error), or null. */
  errorReply(status: number, txn: Txn): Reply | null;
}

export interface HttpContext extends SessionContext {
  /** The compiled HTTP side of a proxy, by name. */
  http(name: string): HttpProxy | undefined;
  readonly pool: ServerPool;
  readonly limits: HttpLimits;
  readonly state: BackendState;
}

const final = (v: Verdict): Verdict | null => (v.kind === 'continue' || v.kind === 'allow' ? null : v);

export function httpProxy(p: ProxyModel, rules: CompiledProxyRules): HttpProxy {
  const on = (o: string): boolean => p.options[o]?.enabled === true;
  const connMode: ConnMode = on('httpclose') ? 'close' : on('http-server-close') ? 'server-close' : 'keep-alive';
  const reuse = p.settings['http-reuse']?.value;
  return {
    name: p.name,
    contentRules: rules.has.tcpRequestContent ? (t) => rules.tcpRequestContent(t).kind === 'reject' : () => false,
    requestRules: rules.has.httpRequest ? (t) => final(rules.httpRequest(t)) : () => null,
    responseRules: rules.has.httpResponse ? (t) => final(rules.httpResponse(t)) : () => null,
    afterResponseRules: rules.has.httpAfterResponse ? (t) => void rules.httpAfterResponse(t) : () => undefined,
    useBackend: (t) => rules.useBackend(t),
    useServer: rules.has.useServer ? (t) => rules.useServer(t) : () => null,
    connMode,
    reuse: reuse === 'never' || reuse === 'aggressive' || reuse === 'always' ? reuse : 'safe',
    forwardFor: on('forwardfor') ? addressOption(p.options['forwardfor']!.args, 'X-Forwarded-For') : null,
    originalTo: on('originalto') ? addressOption(p.options['originalto']!.args, 'X-Original-To') : null,
    monitorUri: p.cap.frontend && typeof p.settings['monitor-uri']?.value === 'string' ? p.settings['monitor-uri'].value : null,
    monitorFail: (t) => rules.monitorFail(t),
    sendNameHeader: p.cap.backend && typeof p.settings['http-send-name-header']?.value === 'string' ? p.settings['http-send-name-header'].value.toLowerCase() : null,
    bufferRequest: on('http-buffer-request'),
    httpRequestTimeout: p.timeouts['http-request'] ?? 0,
    tarpitTimeout: p.timeouts['tarpit'] ?? p.timeouts['connect'] ?? 0,
    compression: compressionOf(p),
    cookie: p.cap.backend ? cookiePersistenceOf(p) : null,
    persistDown: on('persist'),
    errorReply: (status, txn) => rules.errorReplies.get(status)?.(txn) ?? null,
  };
}

/** `option forwardfor|originalto [except NET] [header NAME] [if-none]`, as parsed in src/proxy/options.ts. */
function addressOption(args: readonly string[], defaultHeader: string): AddressOption {
  let header = defaultHeader;
  let except: net.BlockList | null = null;
  let ifNone = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === 'header') header = args[++i]!;
    else if (w === 'if-none') ifNone = true;
    else if (w === 'except') {
      const [addr, bits] = args[++i]!.split('/') as [string, string | undefined];
      except = new net.BlockList();
      const type = addr.includes(':') ? 'ipv6' : 'ipv4';
      const prefix = bits === undefined ? (type === 'ipv6' ? 128 : 32) : bits.includes('.') ? maskBits(bits) : Number(bits);
      except.addSubnet(addr, prefix, type);
    }
  }
  return { header, lower: header.toLowerCase(), except, ifNone };
}

/**
 * Append the address header of `option forwardfor` (the client's address) or `option
 * originalto` (the address the client connected to), as HAProxy 2.6 merges the frontend's
 * and the backend's settings: either one enables it; the backend's header name wins; an
 * address in either one's `except` network gets none; `if-none` holds only when no proxy
 * that sets the option asks for the header always. IPv4 and IPv6 addresses (a unix socket
 * has none: no header).
 */
export function addAddressHeader(txn: Txn, fe: AddressOption | null, be: AddressOption | null, addr: string): void {
  const main = be ?? fe;
  if (!main || !txn.req || addr === '') return;
  if ((fe?.ifNone ?? true) && (be?.ifNone ?? true) && txn.req.headers.has(main.lower)) return;
  const type = addr.includes(':') ? 'ipv6' : 'ipv4';
  if (fe?.except?.check(addr, type) || be?.except?.check(addr, type)) return;
  txn.req.headers.add(main.header, addr);
}

function maskBits(dotted: string): number {
  return dotted.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);
}
