// The HTTP wire's write side on real sockets: writes made in one event loop turn are held and
// leave together at its end (src/http/wire.ts), in order, and a turn that writes more than the
// socket would buffer still gets the drain protocol (a slow reader holds the writer back).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Wire } from '../src/http/wire.js';

const closers: (() => void)[] = [];
after(() => {
  for (const c of closers) c();
});

/** A connected pair on loopback: `near` is the side a Wire writes, `far` the peer. */
async function pair(): Promise<{ near: net.Socket; far: net.Socket }> {
  const srv = net.createServer({ allowHalfOpen: true });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  closers.push(() => void srv.close());
  const accepted = once(srv, 'connection') as Promise<[net.Socket]>;
  const near = net.connect({ port: (srv.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  await once(near, 'connect');
  const [far] = await accepted;
  closers.push(() => {
    near.destroy();
    far.destroy();
  });
  return { near, far };
}

function readAll(sock: net.Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  sock.on('data', (d: Buffer) => parts.push(d));
  return new Promise((resolve, reject) => {
    sock.once('end', () => resolve(Buffer.concat(parts)));
    sock.once('error', reject);
  });
}

describe('HTTP wire writes', () => {
  test('a turn that writes more than the socket buffers gets a drain wait, not an unbounded hold', async () => {
    const { near, far } = await pair();
    far.pause(); // a reader that stopped reading
    const wire = new Wire(near);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let taken = 0;
    let wait: Promise<boolean> | null = null;
    // All in one turn, as forwardBody does with what one poll phase read (libuv reads a busy
    // socket up to 32 times 64 KiB before the turn can end).
    while (taken < 64 * 1024 * 1024) {
      const w = wire.write(chunk, 0);
      if (w === false) assert.fail('the socket failed');
      if (w !== true) {
        wait = w;
        break;
      }
      taken += chunk.length;
      // What the wire keeps to itself (taken, not yet handed to node) stays under the mark.
      const kept = taken - near.bytesWritten;
      assert.ok(kept < near.writableHighWaterMark, `${kept} bytes held by the wire after ${taken} taken in one turn`);
    }
    // The kernel's buffers fill (a few MiB on loopback), then node's: the writer must wait.
    assert.ok(wait !== null, `every write of the turn was taken (${taken} bytes)`);
    near.destroy();
  });

  test('small writes held, a large one and the end leave after them, in order', async () => {
    const { near, far } = await pair();
    const got = readAll(far);
    const wire = new Wire(near);
    const parts = [Buffer.from('first,'), Buffer.from('second,'), Buffer.alloc(200 * 1024, 0x62), Buffer.from(',third')];
    for (const p of parts) {
      const w = wire.write(p, 0);
      if (w !== true && !(await w)) assert.fail('write failed');
    }
    wire.flush();
    near.end();
    assert.ok((await got).equals(Buffer.concat(parts)));
  });
});
