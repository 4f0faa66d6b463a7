// Closing the sessions a server holds: `shutdown sessions server` on the runtime API, and the
// server options `on-marked-down shutdown-sessions` / `on-marked-up shutdown-backup-sessions`
// driven by real health checks. A Switchyard child, echo servers on loopback, clients that
// stay connected; each test waits on events (a client's close, a log line), never on time.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort } from './helpers/net.js';
import { cli, socketReady } from './helpers/cli.js';
import { startSwitchyard, type Proc } from './helpers/proc.js';

const started: Proc[] = [];
const closers: (() => void)[] = [];
after(() => {
  for (const p of started) p.child.kill('SIGKILL');
  for (const c of closers) c();
});

/** An echo server that counts the connections it holds; `drained()` waits until it holds none. */
async function echo(): Promise<{ port: number; open: () => number; drained: () => Promise<void> }> {
  const held = new Set<net.Socket>();
  let onEmpty: (() => void) | null = null;
  const srv = net.createServer((c) => {
    held.add(c);
    c.on('close', () => {
      held.delete(c);
      if (held.size === 0) onEmpty?.();
    });
    c.on('error', () => undefined);
    c.pipe(c);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  closers.push(() => {
    for (const c of held) c.destroy();
    srv.close();
  });
  const drained = (): Promise<void> => (held.size === 0 ? Promise.resolve() : new Promise((r) => (onEmpty = r)));
  return { port: (srv.address() as net.AddressInfo).port, open: () => held.size, drained };
}

/** A plain listener for TCP health checks, which can be opened and closed at will. */
function checkPort(port: number): { up(): Promise<void>; down(): Promise<void> } {
  let srv: net.Server | null = null;
  const conns = new Set<net.Socket>();
  closers.push(() => srv?.close());
  return {
    async up() {
      srv = net.createServer((c) => {
        conns.add(c);
        c.on('close', () => conns.delete(c));
        c.on('error', () => undefined);
      });
      srv.listen(port, '127.0.0.1');
      await once(srv, 'listening');
    },
    async down() {
      const s = srv!;
      srv = null;
      for (const c of conns) c.destroy();
      await new Promise((r) => s.close(r));
    },
  };
}

/** A client through the proxy that has made a round trip (so the server holds its session). */
async function session(port: number): Promise<{ sock: net.Socket; closed: Promise<void>; roundTrip(): Promise<void> }> {
  const sock = net.connect({ port, host: '127.0.0.1' });
  sock.on('error', () => undefined);
  const closed = once(sock, 'close').then(() => undefined);
  await once(sock, 'connect');
  const roundTrip = async (): Promise<void> => {
    sock.write('ping');
    const [d] = (await once(sock, 'data')) as [Buffer];
    assert.equal(d.toString(), 'ping');
  };
  await roundTrip();
  return { sock, closed, roundTrip };
}

async function proxy(body: string, global = ''): Promise<{ proc: Proc; sock: string }> {
  const sock = join(mkdtempSync(join(tmpdir(), 'sy-sess-')), 'admin.sock');
  const proc = startSwitchyard(
    `global\n nbthread 2\n stats socket ${sock} level admin\n${global}` +
      `defaults\n mode tcp\n timeout connect 2s\n timeout client 30s\n timeout server 30s\n${body}`,
  );
  started.push(proc);
  await socketReady(sock);
  return { proc, sock };
}

for (const how of ['splice', 'nosplice'] as const) {
  test(`shutdown sessions server closes that server's sessions on every thread, not the others' (${how})`, { timeout: 60_000 }, async () => {
    const a = await echo();
    const b = await echo();
    const port = await freePort();
    // nosplice: the same sessions copied through JS sockets instead of the native forwarder.
    const { sock } = await proxy(
      `listen l\n bind 127.0.0.1:${port}\n balance roundrobin\n server a 127.0.0.1:${a.port}\n server b 127.0.0.1:${b.port}\n`,
      how === 'nosplice' ? ' nosplice\n' : '',
    );
    // Four sessions, two on each server (roundrobin), spread over the two threads.
    const clients = [];
    for (let i = 0; i < 4; i++) clients.push(await session(port));
    assert.equal(a.open(), 2);
    assert.equal(b.open(), 2);
    assert.equal(await cli(sock, 'shutdown sessions server l/a\n'), '\n');
    const onA = clients.filter((_, i) => i % 2 === 0);
    const onB = clients.filter((_, i) => i % 2 === 1);
    await Promise.all(onA.map((c) => c.closed));
    // The proxy closed its server side too.
    await a.drained();
    // The sessions on b are untouched: they still answer.
    for (const c of onB) await c.roundTrip();
    assert.equal(b.open(), 2);
    for (const c of onB) c.sock.destroy();
  });
}

test('shutdown sessions server in HTTP mode: a response still coming is cut, with no error page', { timeout: 60_000 }, async () => {
  let requests = 0;
  let serverSide: Promise<unknown> = Promise.resolve();
  const slow = net.createServer((c) => {
    // Closed by a reset (the proxy cuts a connection the server still holds open, as HAProxy).
    serverSide = new Promise((r) => c.once('close', r));
    c.on('error', () => undefined);
    c.once('data', () => {
      requests++;
      c.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial');
    });
  });
  slow.listen(0, '127.0.0.1');
  await once(slow, 'listening');
  closers.push(() => slow.close());
  const port = await freePort();
  const { sock } = await proxy(`listen l\n mode http\n bind 127.0.0.1:${port}\n server s 127.0.0.1:${(slow.address() as net.AddressInfo).port}\n`);
  const c = net.connect({ port, host: '127.0.0.1' });
  c.on('error', () => undefined);
  const closed = once(c, 'close');
  let got = '';
  c.on('data', (d) => (got += d.toString()));
  c.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  while (!got.includes('partial')) await once(c, 'data');
  assert.equal(requests, 1);
  assert.equal(await cli(sock, 'shutdown sessions server l/s\n'), '\n');
  await closed;
  // The server's connection is closed too, not kept waiting for the rest of the response.
  await serverSide;
  assert.equal(got, 'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial', 'the client got what was relayed, then the end of the connection');
});

test('shutdown sessions server: lookup errors in HAProxy 2.6 words, and admin level only', { timeout: 60_000 }, async () => {
  const a = await echo();
  const port = await freePort();
  const { sock } = await proxy(`listen l\n bind 127.0.0.1:${port}\n server a 127.0.0.1:${a.port}\n`);
  assert.equal(await cli(sock, 'shutdown sessions server l/nope\n'), 'No such server.\n\n');
  assert.equal(await cli(sock, 'shutdown sessions server nope/a\n'), 'No such backend.\n\n');
  assert.equal(await cli(sock, 'shutdown sessions server l\n'), "Require 'backend/server'.\n\n");
  // As haproxy 2.6.12 answers it: `operator` says nothing, its empty line comes first.
  assert.equal(await cli(sock, 'operator; shutdown sessions server l/a\n'), '\nPermission denied\n\n');
});

test('on-marked-down shutdown-sessions: a server whose check fails loses its sessions; one without the option keeps them', { timeout: 60_000 }, async () => {
  const a = await echo();
  const b = await echo();
  const [pa, pb, ca, cb] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const checkA = checkPort(ca);
  const checkB = checkPort(cb);
  await checkA.up();
  await checkB.up();
  const { proc } = await proxy(
    `listen la\n bind 127.0.0.1:${pa}\n server a 127.0.0.1:${a.port} check port ${ca} inter 100 fall 1 rise 1 on-marked-down shutdown-sessions\n` +
      `listen lb\n bind 127.0.0.1:${pb}\n server b 127.0.0.1:${b.port} check port ${cb} inter 100 fall 1 rise 1\n`,
  );
  const sa = await session(pa);
  const sb = await session(pb);
  const from = proc.lines.length;
  await checkA.down();
  await checkB.down();
  await proc.waitFor(/Server la\/a is DOWN/, from);
  await sa.closed;
  await proc.waitFor(/Server lb\/b is DOWN/, from);
  // lb/b is DOWN too, without the option: its established session goes on.
  await sb.roundTrip();
  sb.sock.destroy();
});

test('on-marked-up shutdown-backup-sessions: a primary coming back closes the backup servers\' sessions', { timeout: 60_000 }, async () => {
  const primary = await echo();
  const backup = await echo();
  const [port, chk] = [await freePort(), await freePort()];
  const check = checkPort(chk);
  // The primary's check port is closed at start: its first check marks it DOWN.
  const { proc } = await proxy(
    `listen l\n bind 127.0.0.1:${port}\n` +
      ` server p 127.0.0.1:${primary.port} check port ${chk} inter 100 fall 1 rise 1 on-marked-up shutdown-backup-sessions\n` +
      ` server bk 127.0.0.1:${backup.port} backup\n`,
  );
  await proc.waitFor(/Server l\/p is DOWN/);
  const s = await session(port);
  assert.equal(backup.open(), 1, 'with the primary DOWN the backup serves');
  const from = proc.lines.length;
  await check.up();
  await proc.waitFor(/Server l\/p is UP/, from);
  await s.closed;
  // New clients go to the primary again.
  const again = await session(port);
  assert.equal(primary.open(), 1);
  again.sock.destroy();
});
