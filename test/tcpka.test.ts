// `option tcpka` / `clitcpka` / `srvtcpka`: SO_KEEPALIVE on the client connections a frontend
// accepts and on the connections a backend opens, on the splice path, the JS path
// (`nosplice`) and in HTTP mode. Read from the kernel with ss(8): a socket with SO_KEEPALIVE
// shows a `keepalive` timer, one without shows none.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { connectWhenUp, freePort } from './helpers/net.js';
import { startSwitchyard, type Proc } from './helpers/proc.js';

const noSs = spawnSync('ss', ['-V']).status !== 0 && 'no ss(8) here';
const procs: Proc[] = [];
const closers: (() => void)[] = [];
after(() => {
  for (const p of procs) p.child.kill('SIGKILL');
  for (const c of closers) c();
});

/** An HTTP/TCP server that answers a small HTTP response and keeps the connection open. */
async function origin(): Promise<number> {
  const held = new Set<net.Socket>();
  const srv = net.createServer((c) => {
    held.add(c);
    c.on('error', () => undefined);
    c.on('data', () => c.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  closers.push(() => {
    for (const c of held) c.destroy();
    srv.close();
  });
  return (srv.address() as net.AddressInfo).port;
}

/** Established TCP sockets matching an ss filter, and whether each has a keepalive timer. */
function keepalive(filter: string): boolean[] {
  const out = spawnSync('ss', ['-tnoH', 'state', 'established', filter], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => l.trim()).map((l) => l.includes('timer:(keepalive'));
}

for (const how of ['splice', 'nosplice', 'http'] as const) {
  test(`clitcpka on a frontend, srvtcpka on a backend, tcpka on both, none elsewhere (${how})`, { skip: noSs, timeout: 60_000 }, async () => {
    const o1 = await origin();
    const o2 = await origin();
    const o3 = await origin();
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
    const mode = how === 'http' ? 'http' : 'tcp';
    const proc = startSwitchyard(
      `global\n nbthread 2\n${how === 'nosplice' ? ' nosplice\n' : ''}` +
        `defaults\n mode ${mode}\n timeout connect 2s\n timeout client 30s\n timeout server 30s\n` +
        `frontend f1\n option clitcpka\n bind 127.0.0.1:${p1}\n default_backend b1\n` +
        `backend b1\n option srvtcpka\n server s 127.0.0.1:${o1}\n` +
        `frontend f2\n bind 127.0.0.1:${p2}\n default_backend b2\n` +
        `backend b2\n server s 127.0.0.1:${o2}\n` +
        `frontend f3\n option tcpka\n bind 127.0.0.1:${p3}\n default_backend b3\n` +
        `backend b3\n option tcpka\n server s 127.0.0.1:${o3}\n`,
    );
    procs.push(proc);
    const clients: net.Socket[] = [];
    for (const port of [p1, p2, p3]) {
      const c = await connectWhenUp(port);
      c.on('error', () => undefined);
      c.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
      await once(c, 'data');
      clients.push(c);
    }
    // The proxy's side of each client connection (source port = the frontend's port) and its
    // connections to each origin (destination port = the origin's).
    assert.deepEqual(keepalive(`( sport = :${p1} )`), [true], 'clitcpka: client side of f1');
    assert.deepEqual(keepalive(`( dport = :${o1} )`), [true], 'srvtcpka: server side of b1');
    assert.deepEqual(keepalive(`( sport = :${p2} )`), [false], 'no option: client side of f2');
    assert.deepEqual(keepalive(`( dport = :${o2} )`), [false], 'no option: server side of b2');
    assert.deepEqual(keepalive(`( sport = :${p3} )`), [true], 'tcpka: client side of f3');
    assert.deepEqual(keepalive(`( dport = :${o3} )`), [true], 'tcpka: server side of b3');
    for (const c of clients) c.destroy();
  });
}
