// TCP mode end to end over real loopback sockets, with the data plane's worker threads.

import { describe, test, after } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers/net.js';
import { checkConfigText } from './helpers/proc.js';
import { parseConfig } from '../src/config/parser.js';
import { installFeatures } from '../src/features.js';
import { condEnv } from '../src/cli/main.js';
import { postCheck } from '../src/config/postcheck.js';
import { DataPlane } from '../src/dataplane/runtime.js';
import { compileRuntime } from '../src/dataplane/compile.js';
import { computeLayout } from '../src/dataplane/layout.js';
import { loadAddon } from '../src/native/addon.js';
import { addressHash } from '../src/lb/source.js';
import { effectiveWeights, haproxyMap } from '../src/lb/schedule.js';
import type { AcceptMode } from '../src/ipc/messages.js';
import { SRV } from '../src/ipc/server-table.js';

// Every accept mode that can run here: the pure-JS path always, the native ones with the addon.
const MODES: AcceptMode[] = loadAddon() ? ['worker', 'main', 'shared', 'reuseport'] : ['worker'];

const registries = installFeatures();

function model(text: string) {
  const { model, diag } = parseConfig([{ name: 't.cfg', text }], {
    env: { getenv: (n) => process.env[n], cwd: process.cwd() },
    cond: condEnv(process.env, registries),
    registries,
  });
  postCheck(model, diag, registries);
  const real = diag.items.filter((d) => d.severity === 'alert' && d.code !== 'E_NOT_IMPLEMENTED');
  assert.deepEqual(real.map((d) => d.message), [], 'config errors');
  return model;
}


/** A server answering its name and closing; `hold` keeps each connection until released. */
async function nameServer(name: string, opts: { hold?: boolean } = {}) {
  const held: net.Socket[] = [];
  let count = 0;
  const srv = net.createServer((c) => {
    count++;
    c.on('error', () => undefined);
    if (opts.hold) held.push(c);
    else c.end(name);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    port: (srv.address() as net.AddressInfo).port,
    get count() {
      return count;
    },
    releaseOne() {
      held.shift()?.end(name);
    },
    close() {
      for (const h of held) h.destroy();
      srv.close();
    },
  };
}

function ask(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    let d = '';
    c.on('data', (x) => (d += x));
    c.on('close', () => resolve(d));
    c.on('error', reject);
  });
}

const planes: DataPlane[] = [];
after(async () => {
  for (const p of planes) await p.stop();
});

async function start(text: string, mode: AcceptMode): Promise<DataPlane> {
  const dp = new DataPlane(model(text), { mode });
  planes.push(dp);
  await dp.start();
  return dp;
}

const DEFAULTS = 'defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n';

/** The listen() backlog of every socket listening on loopback port `port`, as `ss` reports them (Send-Q). */
function backlogs(port: number): number[] {
  const r = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ss failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => Number(l.trim().split(/\s+/)[2]));
}

for (const mode of MODES) {
  test(`listen backlog as HAProxy chooses it: bind backlog, proxy backlog, maxconn, else the kernel's cap (accept mode: ${mode})`, { skip: spawnSync('ss', ['-V']).status !== 0 && 'no ss(8) here' }, async () => {
    const p = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    const fe = (name: string, lines: string): string => `frontend ${name}\n${lines}\n default_backend be\n`;
    await start(
      `global\n nbthread 2\n${DEFAULTS}` +
        fe('a', ` bind 127.0.0.1:${p[0]}\n bind 127.0.0.1:${p[1]} backlog 77`) +
        fe('b', ` maxconn 55\n bind 127.0.0.1:${p[2]}`) +
        fe('c', ` maxconn 55\n backlog 66\n bind 127.0.0.1:${p[3]}\n bind 127.0.0.1:${p[4]} backlog 12`) +
        `backend be\n server s 127.0.0.1:9\n`,
      mode,
    );
    const cap = Math.min(65535, Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8')));
    // Values recorded from haproxy 2.6.12 on the same configuration (ss -ltn).
    const want = [cap, 77, 55, 66, 12];
    for (let i = 0; i < want.length; i++) for (const b of backlogs(p[i]!)) assert.equal(b, want[i], `port ${i}`);
  });
}

for (const mode of MODES) describe(`TCP mode over worker threads (accept mode: ${mode})`, () => {
  test('roundrobin: 9 connections over 3 equal servers are 3/3/3 with 2 worker threads', async () => {
    const s = await Promise.all(['a', 'b', 'c'].map((n) => nameServer(n)));
    const port = await freePort();
    await start(
      `global\n nbthread 2\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n balance roundrobin\n` +
        s.map((x, i) => ` server s${i} 127.0.0.1:${x.port}`).join('\n') + '\n', mode);
    const answers: string[] = [];
    for (let i = 0; i < 9; i++) answers.push(await ask(port));
    assert.deepEqual(['a', 'b', 'c'].map((n) => answers.filter((x) => x === n).length), [3, 3, 3]);
    for (const x of s) x.close();
  });

  test('static-rr weights 100/50 give 20/10 of 30', async () => {
    const s = await Promise.all(['a', 'b'].map((n) => nameServer(n)));
    const port = await freePort();
    await start(`global\n nbthread 2\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n balance static-rr\n server s0 127.0.0.1:${s[0]!.port} weight 100\n server s1 127.0.0.1:${s[1]!.port} weight 50\n`, mode);
    const answers = await Promise.all(Array.from({ length: 30 }, () => ask(port)));
    assert.deepEqual([answers.filter((x) => x === 'a').length, answers.filter((x) => x === 'b').length], [20, 10]);
    for (const x of s) x.close();
  });

  test('server maxconn 1 queues the second client until the first is done', async () => {
    const held = await nameServer('h', { hold: true });
    const port = await freePort();
    const dp = await start(`global\n nbthread 2\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s0 127.0.0.1:${held.port} maxconn 1\n`, mode);
    const first = ask(port);
    const second = ask(port);
    // Wait until one client is connected to the server and the other is queued.
    while (!(held.count === 1 && dp.table.get(0, SRV.QUEUE) === 1)) await new Promise((r) => setImmediate(r));
    assert.equal(held.count, 1);
    held.releaseOne();
    while (held.count < 2) await new Promise((r) => setImmediate(r));
    held.releaseOne();
    assert.deepEqual(await Promise.all([first, second]), ['h', 'h']);
    held.close();
  });

  test('a queued client ended by shutdown session never reaches the server, and the next client keeps its own session', { timeout: 20_000 }, async () => {
    const held = await nameServer('h', { hold: true });
    const port = await freePort();
    const dp = await start(`global\n nbthread 1\n${DEFAULTS} timeout queue 10s\nlisten l\n bind 127.0.0.1:${port}\n server s0 127.0.0.1:${held.port} maxconn 1\n`, mode);
    const first = ask(port);
    while (held.count !== 1) await new Promise((r) => setTimeout(r, 5));
    const doomed = net.connect({ port, host: '127.0.0.1' });
    doomed.on('error', () => undefined);
    const doomedClosed = once(doomed, 'close');
    while (dp.table.get(0, SRV.QUEUE) !== 1) await new Promise((r) => setTimeout(r, 5));
    const rows = await dp.sessions();
    const waiting = rows.filter((r) => r.srv === null);
    assert.equal(waiting.length, 1, JSON.stringify(rows));
    assert.equal(await dp.killSession(waiting[0]!.id), true);
    await doomedClosed;
    // It leaves the queue at once, not when a slot frees (HAProxy's qcur drops too).
    while (dp.table.get(0, SRV.QUEUE) !== 0) await new Promise((r) => setTimeout(r, 5));
    // A new client (on the native paths it likely gets the killed client's fd number) queues too.
    const next = ask(port);
    while ((await dp.sessions()).length !== 2) await new Promise((r) => setTimeout(r, 5));
    held.releaseOne();
    assert.equal(await first, 'h');
    while (held.count < 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 300));
    // Only the live client connected: the killed one's queue wait did not end in a connection.
    assert.equal(held.count, 2);
    const served = await dp.sessions();
    assert.deepEqual(served.map((r) => r.srv), ['s0'], 'the next client is served by its own session');
    held.releaseOne();
    assert.equal(await next, 'h');
    held.close();
  });

  test('a refused connect is retried and redispatched to another server', async () => {
    const live = await nameServer('live');
    const dead = await freePort();
    const port = await freePort();
    await start(
      `global\n nbthread 1\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n balance first\n retries 1\n option redispatch\n timeout connect 200ms\n server dead 127.0.0.1:${dead}\n server live 127.0.0.1:${live.port}\n`, mode);
    assert.equal(await ask(port), 'live');
    live.close();
  });

  test('balance source: each client address lands on the server HAProxy\'s map gives it', async () => {
    const s = await Promise.all(['a', 'b', 'c'].map((n) => nameServer(n)));
    const port = await freePort();
    await start(
      `global\n nbthread 2\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n balance source\n` +
        s.map((x, i) => ` server s${i} 127.0.0.1:${x.port} weight ${i + 1}`).join('\n') + '\n',
      mode,
    );
    const map = haproxyMap(effectiveWeights([1, 2, 3]));
    for (let i = 1; i <= 12; i++) {
      const ip = `127.0.${i}.${i * 3}`;
      const expected = ['a', 'b', 'c'][map[addressHash(Uint8Array.from(ip.split('.').map(Number))) % map.length]!];
      const got = await new Promise<string>((resolve, reject) => {
        const c = net.connect({ port, host: '127.0.0.1', localAddress: ip });
        let d = '';
        c.on('data', (x) => (d += x));
        c.on('close', () => resolve(d));
        c.on('error', reject);
      });
      assert.equal(got, expected, `client ${ip}`);
    }
    for (const x of s) x.close();
  });

  test('half-close: the client ends its side and still gets the reply', async () => {
    const srv = net.createServer({ allowHalfOpen: true }, (c) => {
      c.on('error', () => undefined);
      let got = '';
      c.on('data', (d) => (got += d));
      c.on('end', () => c.end(`got:${got}`));
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s 127.0.0.1:${(srv.address() as net.AddressInfo).port}\n`, mode);
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      let d = '';
      c.on('data', (x) => (d += x));
      c.on('end', () => resolve(d));
      c.on('error', reject);
      c.end('hello');
    });
    assert.equal(reply, 'got:hello');
    srv.close();
  });
});

describe('worker threads', () => {
  test('a crashed worker is replaced and the other worker keeps its connections', { timeout: 30_000 }, async () => {
    process.env['SWITCHYARD_FAULT_INJECTION'] = '1';
    const held = await nameServer('held', { hold: true });
    const quick = await nameServer('quick');
    const p1 = await freePort();
    const p2 = await freePort();
    // Two listeners: with the pure-JS path each is owned by one worker; natively, main mode
    // hands each connection to the least-loaded worker.
    const dp = await start(
      `global\n nbthread 2\n${DEFAULTS}listen a\n bind 127.0.0.1:${p1}\n server s 127.0.0.1:${held.port}\nlisten b\n bind 127.0.0.1:${p2}\n server s 127.0.0.1:${quick.port}\n`,
      MODES.includes('main') ? 'main' : 'worker',
    );
    const open = ask(p1);
    while (held.count < 1) await new Promise((r) => setImmediate(r));
    const busy = dp.loads().findIndex((n) => n > 0);
    assert.ok(busy >= 0, 'one worker holds the open session');
    dp.injectFault(1 - busy);
    while (dp.restarts < 1) await new Promise((r) => setTimeout(r, 10));
    // The open session on the surviving worker is intact, and new connections are served.
    held.releaseOne();
    assert.equal(await open, 'held');
    assert.equal(await ask(p2), 'quick');
    held.close();
    quick.close();
  });
});

if (MODES.includes('main')) {
  test('main accept mode: connections sent to a worker as it dies are closed, not left hanging', { timeout: 30_000 }, async () => {
    process.env['SWITCHYARD_FAULT_INJECTION'] = '1';
    const quick = await nameServer('quick');
    const port = await freePort();
    const dp = await start(`global\n nbthread 2\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s 127.0.0.1:${quick.port}\n`, 'main');
    assert.equal(await ask(port), 'quick');
    // Connections arrive while worker 0 dies: some are dispatched to it after its last
    // message turn. Each must end (answered, or closed by the main thread), none may hang.
    const pending: Promise<string>[] = [];
    for (let i = 0; i < 300; i++) {
      if (i === 30) dp.injectFault(0);
      pending.push(ask(port).catch(() => 'error'));
      await new Promise((r) => setImmediate(r));
    }
    const outcomes = await Promise.all(pending);
    while (dp.restarts < 1) await new Promise((r) => setTimeout(r, 10));
    assert.equal(outcomes.length, 300);
    assert.ok(outcomes.every((o) => o === 'quick' || o === '' || o === 'error'), outcomes.join(','));
    // Every slot came back: those of the dead worker's sessions and of the fds it never took.
    while (dp.gauges.global() !== 0) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await ask(port), 'quick');
    quick.close();
  });
}

for (const mode of MODES) {
  test(`a crashed worker's sessions give their maxconn slots back (accept mode: ${mode})`, { timeout: 30_000 }, async () => {
    process.env['SWITCHYARD_FAULT_INJECTION'] = '1';
    const held = await nameServer('held', { hold: true });
    const port = await freePort();
    const dp = await start(`global\n nbthread 2\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n maxconn 1\n server s 127.0.0.1:${held.port}\n`, mode);
    const open = ask(port).catch(() => '');
    while (held.count < 1) await new Promise((r) => setImmediate(r));
    assert.equal(dp.gauges.frontend(0), 1);
    const busy = dp.loads().findIndex((n) => n > 0);
    dp.injectFault(busy);
    while (dp.restarts < 1) await new Promise((r) => setTimeout(r, 10));
    // Its session died with it; without the slot back, maxconn 1 would hold every new client.
    assert.equal(await open, '', 'closed without an answer');
    assert.equal(dp.gauges.frontend(0), 0);
    assert.equal(dp.gauges.global(), 0);
    // (A pure-JS listener died with its worker: asked again until the replacement listens.)
    const askUp = async (): Promise<string> => {
      for (;;) {
        try {
          return await ask(port);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const next = askUp();
    while (held.count < 2) await new Promise((r) => setImmediate(r));
    held.releaseOne(); // the dead session's server side
    held.releaseOne();
    assert.equal(await next, 'held');
    held.close();
  });
}

for (const mode of MODES) describe(`maxconn (accept mode: ${mode})`, () => {
  for (const where of ['frontend', 'global'] as const) {
    test(`${where} maxconn 1: the second client waits, then is served when the first ends`, { timeout: 20_000 }, async () => {
      const held = await nameServer('m', { hold: true });
      const port = await freePort();
      const globalLimit = where === 'global' ? ' maxconn 1\n' : '';
      const feLimit = where === 'frontend' ? ' maxconn 1\n' : '';
      await start(`global\n nbthread 2\n${globalLimit}${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n${feLimit} server s 127.0.0.1:${held.port}\n`, mode);
      const first = ask(port);
      while (held.count < 1) await new Promise((r) => setImmediate(r));
      const second = ask(port);
      // The second client is connected at TCP level but must not reach the server yet. This
      // checks that something does NOT happen, so it can only give it time (it may miss a
      // slow failure, never report a false one).
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(held.count, 1, 'the limit holds the second client back');
      held.releaseOne();
      while (held.count < 2) await new Promise((r) => setImmediate(r));
      held.releaseOne();
      assert.deepEqual(await Promise.all([first, second]), ['m', 'm']);
      held.close();
    });
  }

  test('bind maxconn 1: that listener holds its second client back while another bind of the frontend still serves', { timeout: 20_000 }, async () => {
    const held = await nameServer('b', { hold: true });
    const [limited, open] = [await freePort(), await freePort()];
    await start(`global\n nbthread 2\n${DEFAULTS}listen l\n bind 127.0.0.1:${limited} maxconn 1 backlog 16\n bind 127.0.0.1:${open}\n server s 127.0.0.1:${held.port}\n`, mode);
    const first = ask(limited);
    while (held.count < 1) await new Promise((r) => setImmediate(r));
    const second = ask(limited);
    // The other listener is not limited: its client reaches the server while the second waits.
    const third = ask(open);
    while (held.count < 2) await new Promise((r) => setImmediate(r));
    // As above, "does not reach the server" can only be given time.
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(held.count, 2, 'the limited listener holds its second client back');
    held.releaseOne();
    while (held.count < 3) await new Promise((r) => setImmediate(r));
    held.releaseOne();
    held.releaseOne();
    assert.deepEqual(await Promise.all([first, second, third]), ['b', 'b', 'b']);
    held.close();
  });
});

test("bind maxconn and backlog are read with atol() and refused below 0 in HAProxy's words", () => {
  const r = checkConfigText(
    `${DEFAULTS}frontend f\n bind 127.0.0.1:9 maxconn -3\n bind 127.0.0.1:10 backlog -2\n bind 127.0.0.1:11 maxconn 7x backlog abc\n default_backend b\nbackend b\n server s 127.0.0.1:12\n`,
  );
  assert.equal(r.code, 1);
  const line = DEFAULTS.split('\n').length;
  // Texts as haproxy 2.6.12 -c prints them ("> 0" although it accepts 0; "7x" is 7, "abc" 0).
  assert.deepEqual(
    r.err.split('\n').filter((l) => l.startsWith('[ALERT]')).slice(0, 2),
    [
      `[ALERT]    (PID) : config : parsing [t.cfg:${line + 1}] : 'bind 127.0.0.1:9' in section 'frontend' : 'maxconn' : invalid value -3, must be >= 0`,
      `[ALERT]    (PID) : config : parsing [t.cfg:${line + 2}] : 'bind 127.0.0.1:10' in section 'frontend' : 'backlog' : invalid value -2, must be > 0`,
    ],
  );
  assert.equal(r.err.split('\n').filter((l) => l.startsWith('[ALERT]')).length, 4);
});

/** Connections waiting in the kernel's accept queue of the listeners on `port` (/proc/net/tcp LISTEN rows: rx_queue). */
function acceptQueue(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const row of readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const f = row.trim().split(/\s+/);
    if (f[1] === local && f[3] === '0A') n += parseInt(f[4]!.split(':')[1]!, 16);
  }
  return n;
}

for (const mode of MODES.filter((m) => m !== 'worker')) {
  test(`frontend maxconn reached: native acceptors stop accepting, the kernel keeps the rest (accept mode: ${mode})`, { timeout: 20_000 }, async () => {
    const held = await nameServer('q', { hold: true });
    const port = await freePort();
    // The listen backlog follows maxconn (1) unless set, as in HAProxy: room for the 20 below.
    await start(`global\n nbthread 2\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n maxconn 1\n backlog 64\n server s 127.0.0.1:${held.port}\n`, mode);
    const first = ask(port);
    while (held.count < 1) await new Promise((r) => setImmediate(r));
    // Twenty more clients, one after the other: an acceptor takes one batch before it pauses
    // (each thread's own limiter sees the frontend full); the rest stay in the listen queue,
    // as with HAProxy, where /proc/net/tcp shows them.
    const rest: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) {
      const c = net.connect({ port, host: '127.0.0.1' });
      let d = '';
      c.on('data', (x) => (d += x));
      rest.push(new Promise((resolve, reject) => c.on('close', () => resolve(d)).on('error', reject)));
      await once(c, 'connect');
    }
    // Bounded, so that a failure reports instead of hanging the file (reading /proc/net/tcp
    // costs something: not too often).
    const until = Date.now() + 10_000;
    while (acceptQueue(port) < 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.ok(acceptQueue(port) >= 10, `accept queue ${acceptQueue(port)}, server saw ${held.count}`);
    // Each end frees the slot for the next: all are served, and the queue empties.
    const total = 1 + rest.length;
    try {
      for (let served = 1; served <= total; served++) {
        const by = Date.now() + 10_000;
        while (held.count < served && Date.now() < by) await new Promise((r) => setTimeout(r, 1));
        assert.equal(held.count, served, `served ${held.count} of ${total}; accept queue ${acceptQueue(port)}`);
        held.releaseOne();
      }
      assert.deepEqual(await Promise.all([first, ...rest]), Array(total).fill('q'));
      assert.equal(acceptQueue(port), 0);
    } finally {
      held.close();
    }
  });
}

test('server enabled overrides default-server disabled; disabled servers get no traffic', async () => {
  const on = await nameServer('on');
  const off = await nameServer('off');
  const port = await freePort();
  await start(
    `global\n nbthread 1\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n default-server disabled\n server a 127.0.0.1:${off.port}\n server b 127.0.0.1:${on.port} enabled\n`,
    MODES[0]!,
  );
  for (let i = 0; i < 4; i++) assert.equal(await ask(port), 'on');
  assert.equal(off.count, 0);
  on.close();
  off.close();
});

/**
 * Starts `global` (lines) in accept mode shared in front of an echo server that answers once the
 * client has finished sending (half-close), and checks `payload` comes back intact.
 */
async function echoAfterHalfClose(global: string, payload: Buffer): Promise<void> {
  const echo = net.createServer({ allowHalfOpen: true }, (c) => {
    c.on('error', () => undefined);
    const parts: Buffer[] = [];
    c.on('data', (d) => parts.push(d));
    c.on('end', () => c.end(Buffer.concat(parts)));
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const port = await freePort();
  await start(`global\n${global}${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server e 127.0.0.1:${(echo.address() as net.AddressInfo).port}\n`, 'shared');
  const got = await new Promise<Buffer>((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const parts: Buffer[] = [];
    c.on('data', (d) => parts.push(d));
    c.on('end', () => resolve(Buffer.concat(parts)));
    c.on('error', reject);
    c.end(payload);
  });
  assert.equal(got.length, payload.length);
  assert.ok(got.equals(payload));
  echo.close();
}

test('global nosplice: natively accepted connections are copied through JS sockets, half-close kept', { skip: !MODES.includes('shared') }, async () => {
  await echoAfterHalfClose(' nbthread 2\n nosplice\n', Buffer.alloc(256 * 1024, 7));
});

test('global tune.pipesize reaches the runtime as bytes; unset or negative is 0 (the adaptive size)', () => {
  const pipeSize = (global: string): number => {
    const m = model(`global\n${global}${DEFAULTS}listen l\n bind 127.0.0.1:1\n server s 127.0.0.1:2\n`);
    return compileRuntime(m, computeLayout(m)).pipeSize;
  };
  assert.equal(pipeSize(' tune.pipesize 131072\n'), 131072);
  assert.equal(pipeSize(''), 0);
  assert.equal(pipeSize(' tune.pipesize -5\n'), 0);
});

test('global tune.pipesize: the splice forwarder moves a stream through pipes of that size', { skip: !MODES.includes('shared') }, async () => {
  // One page per pipe: 2 MB take hundreds of splice rounds each way.
  await echoAfterHalfClose(' nbthread 1\n tune.pipesize 4096\n', randomBytes(2 * 1024 * 1024));
});

for (const mode of MODES) {
  test(`bind unix@PATH mode 600: served through the socket file, created with that mode (accept mode ${mode})`, async () => {
    const s = await nameServer('via-unix');
    const dir = mkdtempSync(join(tmpdir(), 'sy-unix-'));
    const path = join(dir, 'lb.sock');
    // A stale socket file is replaced, as HAProxy does.
    writeFileSync(path, '');
    await start(`global\n nbthread 2\n${DEFAULTS}listen l\n bind unix@${path} mode 600\n server s 127.0.0.1:${s.port}\n`, mode);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.ok(statSync(path).isSocket());
    const got = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ path });
      let d = '';
      c.on('data', (x) => (d += x));
      c.on('close', () => resolve(d));
      c.on('error', reject);
    });
    assert.equal(got, 'via-unix');
    s.close();
  });
}

test('bind unix@ in a missing directory fails start-up with HAProxy\'s message', async () => {
  const dp = new DataPlane(model(`global\n nbthread 1\n${DEFAULTS}listen l\n bind unix@/nonexistent-dir/x.sock\n server s 127.0.0.1:9\n`), { mode: MODES[MODES.length - 1]! });
  const problems: string[] = [];
  await assert.rejects(dp.start(), /Some protocols failed to start their listeners/);
  problems.push(...dp.problems);
  assert.match(problems.join('\n'), /^Binding \[t\.cfg:\d+\] for proxy l: cannot bind UNIX socket \(No such file or directory\) \[\/nonexistent-dir\/x\.sock\]$/m);
});
