// Idle server connections of the HTTP path, kept as HAProxy 2.6 keeps them (checked against
// haproxy 2.6.12 with the same configurations and clients): one idle connection per thread
// survives sequential one-request clients, the others are reset at once (no TIME_WAIT on the
// proxy); `pool-max-conn`, `pool-purge-delay` (0, and the purge halving the excess) and
// `http-reuse never`; `show stat`'s connect/reuse/srv_icur/src_ilim/safe_conn_cur/
// need_conn_est columns.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers/net.js';
import { startSwitchyard, type Proc } from './helpers/proc.js';
import { cli, socketReady } from './helpers/cli.js';

const started: Proc[] = [];
const closers: (() => void)[] = [];
after(() => {
  for (const p of started) p.child.kill('SIGKILL');
  for (const c of closers) c();
});

/** How each server connection the origin accepted ended, in accept order. */
type End = 'open' | 'fin' | 'reset';

/**
 * An origin answering every request with a 2-byte keep-alive response; records each
 * connection's end. `finAll()` closes its side (FIN) of every connection it holds.
 */
async function origin(): Promise<{ port: number; ends: End[]; changed: () => Promise<void>; finAll: () => void }> {
  const ends: End[] = [];
  const held = new Set<net.Socket>();
  let wake: (() => void) | null = null;
  const note = (i: number, e: End): void => {
    if (ends[i] !== 'open') return;
    ends[i] = e;
    wake?.();
  };
  const srv = net.createServer((c) => {
    const i = ends.push('open') - 1;
    held.add(c);
    c.on('close', () => held.delete(c));
    wake?.();
    c.on('error', (e: NodeJS.ErrnoException) => note(i, e.code === 'ECONNRESET' ? 'reset' : 'fin'));
    c.on('end', () => {
      note(i, 'fin');
      c.end();
    });
    let buf = '';
    c.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        buf = buf.slice(end + 4);
        c.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  closers.push(() => srv.close());
  return {
    port: (srv.address() as net.AddressInfo).port,
    ends,
    changed: () => new Promise<void>((r) => (wake = r)),
    finAll: () => {
      for (const c of held) c.end();
    },
  };
}

/** Wait until `cond()` holds, re-checking whenever the origin sees a connection open or end. */
async function until(o: { changed: () => Promise<void> }, cond: () => boolean): Promise<void> {
  while (!cond()) await o.changed();
}

async function proxy(originPort: number, serverOpts = '', backendOpts = ''): Promise<{ port: number; sock: string }> {
  const port = await freePort();
  const sock = join(mkdtempSync(join(tmpdir(), 'sy-pool-')), 'admin.sock');
  const proc = startSwitchyard(
    `global\n nbthread 1\n stats socket ${sock} level admin\n` +
      `defaults\n mode http\n timeout connect 2s\n timeout client 30s\n timeout server 30s\n` +
      `frontend fe\n bind 127.0.0.1:${port}\n default_backend be\n` +
      `backend be\n${backendOpts} server o 127.0.0.1:${originPort}${serverOpts}\n`,
  );
  started.push(proc);
  await socketReady(sock);
  return { port, sock };
}

/** One client connection sending `n` keep-alive requests one after the other, then closing. */
async function client(port: number, n: number): Promise<void> {
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  let got = '';
  c.setEncoding('latin1');
  for (let i = 0; i < n; i++) {
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    while ((got.match(/\r\n\r\nok/g) ?? []).length <= i) got += ((await once(c, 'data')) as [string])[0];
  }
  c.end();
  await once(c, 'close');
}

/** `n` clients at once, each past its first response (each holding a server connection). */
function holding(port: number, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const c = net.connect(port, '127.0.0.1');
      c.setEncoding('latin1');
      await once(c, 'connect');
      c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await once(c, 'data');
      return c;
    }),
  );
}

/** Columns of the server row of `show stat`. */
async function stat(sock: string, ...cols: string[]): Promise<Record<string, string>> {
  const out = await cli(sock, 'show stat\n');
  const lines = out.split('\n');
  const head = lines[0]!.replace(/^# /, '').split(',');
  const row = lines.find((l) => l.startsWith('be,o,'))!.split(',');
  return Object.fromEntries(cols.map((c) => [c, row[head.indexOf(c)]!]));
}

test('sequential one-request clients: one idle server connection is kept, each other one is reset as its client leaves', async () => {
  const o = await origin();
  const { port, sock } = await proxy(o.port);
  for (let i = 1; i <= 5; i++) {
    await client(port, 1);
    // Each client's first request has its own server connection (http-reuse safe); all
    // but the first kept one are closed at once, by a reset.
    await until(o, () => o.ends.filter((e) => e !== 'open').length === i - 1);
  }
  assert.deepEqual(o.ends, ['open', 'reset', 'reset', 'reset', 'reset']);
  assert.deepEqual(await stat(sock, 'connect', 'reuse', 'srv_icur', 'safe_conn_cur', 'idle_conn_cur', 'need_conn_est', 'src_ilim'), {
    connect: '5',
    reuse: '0',
    srv_icur: '1',
    safe_conn_cur: '0',
    idle_conn_cur: '1',
    need_conn_est: '1',
    src_ilim: '',
  });
});

test('keep-alive clients: requests after the first reuse the connection; counted as HAProxy counts them', async () => {
  const o = await origin();
  const { port, sock } = await proxy(o.port, ' pool-max-conn 10');
  await client(port, 3);
  await client(port, 2);
  assert.deepEqual(await stat(sock, 'connect', 'reuse', 'srv_icur', 'safe_conn_cur', 'idle_conn_cur', 'need_conn_est', 'src_ilim'), {
    connect: '2',
    reuse: '3',
    srv_icur: '1',
    safe_conn_cur: '1',
    idle_conn_cur: '0',
    need_conn_est: '1',
    src_ilim: '10',
  });
  assert.deepEqual(o.ends, ['open', 'reset']);
});

test('pool-purge-delay 0 and http-reuse never keep no idle connection', async () => {
  for (const [srvOpts, beOpts] of [[' pool-purge-delay 0', ''], ['', ' http-reuse never\n']] as const) {
    const o = await origin();
    const { port, sock } = await proxy(o.port, srvOpts, beOpts);
    await client(port, 2);
    await until(o, () => o.ends[0] !== 'open');
    assert.deepEqual(o.ends, ['reset'], `${srvOpts}${beOpts}`);
    assert.equal((await stat(sock, 'srv_icur')).srv_icur, '0');
  }
});

test('idle connections beyond the need are purged, half the excess per pool-purge-delay, then none', async () => {
  const o = await origin();
  const { port, sock } = await proxy(o.port, ' pool-purge-delay 500ms');
  // Four clients at once, each holding its own server connection: the need is four.
  const conns = await holding(port, 4);
  // Only then do they leave: the pool keeps all four (used + idle within the need), and the
  // first two purges close none (the need seen in the period is still four).
  for (const c of conns) c.end();
  for (;;) {
    const s = await stat(sock, 'srv_icur', 'need_conn_est');
    if (s.srv_icur === '4') {
      assert.equal(s.need_conn_est, '4');
      break;
    }
    assert.ok(o.ends.every((e) => e === 'open'), 'an idle connection was closed before all four were parked');
    await new Promise((r) => setImmediate(r));
  }
  // Then purges close them, half the excess each time, until none is left.
  await until(o, () => o.ends.every((e) => e !== 'open'));
  assert.deepEqual(o.ends, ['reset', 'reset', 'reset', 'reset']);
});

test('pool-max-conn 1: one idle connection for the server, the others are closed as their clients leave', async () => {
  const o = await origin();
  const { port, sock } = await proxy(o.port, ' pool-max-conn 1');
  const conns = await holding(port, 3);
  for (const c of conns) c.end();
  await until(o, () => o.ends.filter((e) => e === 'reset').length === 2);
  assert.equal(o.ends.filter((e) => e === 'open').length, 1);
  assert.equal((await stat(sock, 'srv_icur')).srv_icur, '1');
});

test('an idle connection the server closes leaves the pool at once (closed, not counted)', { timeout: 20_000 }, async () => {
  const o = await origin();
  // A purge period longer than the test's timeout: only the FIN may end it.
  const { port, sock } = await proxy(o.port, ' pool-purge-delay 60s');
  await client(port, 1);
  assert.equal((await stat(sock, 'srv_icur')).srv_icur, '1');
  o.finAll();
  // The proxy closes its side as soon as the server's FIN arrives (not half-open until a purge).
  await until(o, () => o.ends[0] === 'fin');
  assert.equal((await stat(sock, 'srv_icur')).srv_icur, '0');
});

test('a server entering maintenance loses its idle connections; del server then succeeds', { timeout: 20_000 }, async () => {
  const o = await origin();
  const { port, sock } = await proxy(o.port);
  await client(port, 1);
  assert.equal((await stat(sock, 'srv_icur')).srv_icur, '1');
  assert.equal(await cli(sock, 'disable server be/o\n'), '\n');
  await until(o, () => o.ends[0] === 'reset');
  assert.equal((await stat(sock, 'srv_icur')).srv_icur, '0');
  assert.equal(await cli(sock, 'del server be/o\n'), 'Server deleted.\n');
});

test('server keywords are read as HAProxy 2.6 reads them', async () => {
  const { checkConfigText } = await import('./helpers/proc.js');
  const cfg = (opt: string): string =>
    `defaults\n mode http\n timeout connect 1s\n timeout client 1s\n timeout server 1s\nbackend be\n server s1 127.0.0.1:1 ${opt}\n`;
  const alert = (opt: string): string => checkConfigText(cfg(opt)).err.split('\n').find((l) => l.includes('[ALERT]')) ?? '';
  assert.match(alert('pool-max-conn -2'), /\[ALERT\] .*: config : \[.*:7\] : 'server be\/s1' : 'pool-max-conn' must be >= -1\.$/);
  assert.match(alert('pool-purge-delay 5x'), /'server be\/s1' : unexpected character 'x' in argument to <pool-purge-delay>\.\.$/);
  assert.match(alert('pool-purge-delay -1'), /'server be\/s1' : unexpected character '-' in argument to <pool-purge-delay>\.\.$/);
  assert.match(
    alert('pool-purge-delay 99999999999'),
    /'server be\/s1' : timer overflow in argument '99999999999' to 'pool-purge-delay' \(maximum value is 2147483647 ms or ~24\.8 days\)\.$/,
  );
  assert.match(alert('pool-max-conn'), /'server be\/s1' : 'pool-max-conn' expects <value> as argument\.\.$/);
  // Accepted (atoi reads 'abc' as 0): HAProxy's "no listener" exit, no alert.
  for (const ok of ['pool-max-conn abc', 'pool-low-conn x', 'pool-purge-delay 0', 'pool-purge-delay 100us']) {
    const r = checkConfigText(cfg(ok));
    assert.equal(r.code, 2, ok);
    assert.doesNotMatch(r.err, /ALERT|WARNING/, ok);
  }
});
