// HTTP bodies much larger than every buffer on the way, with the far side not reading: the
// proxy must stop reading (its wire pauses the socket past its high-water mark), resume when
// the reader catches up, and deliver every byte in order. Run for sockets read through the
// thread's shared read buffer (fds from the native accept thread: ReadSink) and through
// node's 'data' events (sockets accepted in JS).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { freePort } from './helpers/net.js';
import { checkedModel } from './helpers/model.js';
import { DataPlane } from '../src/dataplane/runtime.js';
import type { AcceptMode } from '../src/ipc/messages.js';
import { loadAddon } from '../src/native/addon.js';

const SIZE = 24 * 1024 * 1024;

/** Deterministic bytes that are not a repeated short pattern (a reordering would show). */
function payload(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
}

const BODY = payload(SIZE);
const BODY_SHA = createHash('sha256').update(BODY).digest('hex');

const closers: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of closers) await c();
});

/**
 * An origin that answers `GET /big` with BODY, reporting when its writes stop being taken
 * (backpressure reached it), and answers `POST /up` with the SHA-256 of what it read, after
 * reading nothing until `release` resolves.
 */
async function bigOrigin(): Promise<{ port: number; blocked: Promise<void>; release: () => void }> {
  let onBlocked!: () => void;
  const blocked = new Promise<void>((r) => (onBlocked = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const srv = net.createServer((c) => {
    c.on('error', () => undefined);
    let head = '';
    const onHead = (d: Buffer): void => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      c.off('data', onHead);
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      if (head.startsWith('GET /big')) {
        c.write(`HTTP/1.1 200 OK\r\nContent-Length: ${SIZE}\r\n\r\n`);
        // In 256 KiB writes, so that "not taken" is seen long before the last byte.
        let off = 0;
        const pump = (): void => {
          while (off < SIZE) {
            const ok = c.write(BODY.subarray(off, off + 256 * 1024));
            off += 256 * 1024;
            if (!ok) {
              onBlocked();
              c.once('drain', pump);
              return;
            }
          }
        };
        pump();
        return;
      }
      const len = Number(/content-length: *(\d+)/i.exec(head)![1]);
      const hash = createHash('sha256').update(rest);
      let got = rest.length;
      c.pause();
      void released.then(() => {
        c.on('data', (d: Buffer) => {
          hash.update(d);
          got += d.length;
          if (got >= len) {
            const hex = hash.digest('hex');
            c.end(`HTTP/1.1 200 OK\r\nContent-Length: ${hex.length + 1}\r\n\r\n${hex}\n`);
          }
        });
        c.resume();
      });
    };
    c.on('data', onHead);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  closers.push(() => void srv.close());
  return { port: (srv.address() as net.AddressInfo).port, blocked, release };
}

async function proxy(mode: AcceptMode, originPort: number): Promise<number> {
  const port = await freePort();
  const dp = new DataPlane(
    checkedModel(
      `defaults\n mode http\n timeout connect 2s\n timeout client 20s\n timeout server 20s\n` +
        `frontend fe\n bind 127.0.0.1:${port}\n default_backend be\nbackend be\n server o 127.0.0.1:${originPort}\n`,
    ),
    { mode },
  );
  await dp.start();
  closers.unshift(() => dp.stop());
  return port;
}

/** Read a response's head and then its content-length body, hashed (and kept when small). */
function readResponse(sock: net.Socket): Promise<{ head: string; sha: string; length: number; text: string }> {
  return new Promise((resolve, reject) => {
    let pending = Buffer.alloc(0);
    let head = '';
    let want = -1;
    let got = 0;
    const hash = createHash('sha256');
    let text = '';
    sock.on('data', (d: Buffer) => {
      if (want < 0) {
        pending = Buffer.concat([pending, d]);
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = pending.subarray(0, end).toString('latin1');
        want = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        d = pending.subarray(end + 4);
      }
      hash.update(d);
      got += d.length;
      if (want < 1024) text += d.toString('latin1');
      if (got >= want) resolve({ head, sha: hash.digest('hex'), length: got, text });
    });
    sock.on('error', reject);
    sock.on('close', () => reject(new Error(`closed after ${got} of ${want} body bytes`)));
  });
}

const modes: AcceptMode[] = loadAddon() ? ['shared', 'worker'] : ['worker'];

for (const mode of modes) {
  describe(`HTTP bodies larger than the buffers (accept mode ${mode})`, () => {
    test('a download to a client that stops reading: paused, resumed, every byte in order', async () => {
      const o = await bigOrigin();
      const port = await proxy(mode, o.port);
      const c = net.connect(port, '127.0.0.1');
      await once(c, 'connect');
      c.pause();
      c.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      // The client reads nothing until the origin itself can no longer write: the proxy
      // holds at most its buffers in between.
      await o.blocked;
      const pending = readResponse(c);
      c.resume();
      const r = await pending;
      assert.match(r.head, /^HTTP\/1\.1 200/);
      assert.equal(r.length, SIZE);
      assert.equal(r.sha, BODY_SHA);
      c.destroy();
    });

    test('an upload to a server that reads nothing at first: the client is held back, then every byte arrives', async () => {
      const o = await bigOrigin();
      const port = await proxy(mode, o.port);
      const c = net.connect(port, '127.0.0.1');
      await once(c, 'connect');
      const response = readResponse(c);
      c.write(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${SIZE}\r\n\r\n`);
      let off = 0;
      let heldBack = false;
      while (off < SIZE) {
        const ok = c.write(BODY.subarray(off, off + 256 * 1024));
        off += 256 * 1024;
        if (!ok) {
          if (!heldBack) {
            heldBack = true;
            o.release();
          }
          await once(c, 'drain');
        }
      }
      assert.ok(heldBack, 'the client was never held back: nothing pushed back on it');
      const r = await response;
      assert.equal(r.head.split('\r\n')[0], 'HTTP/1.1 200 OK');
      // The origin answers with the SHA-256 of what it read.
      assert.equal(r.text, `${BODY_SHA}\n`);
      c.destroy();
    });
  });
}
