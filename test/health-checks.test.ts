// Health checks end to end: Switchyard runs as a child process with real servers on
// loopback that the tests make fail and recover; assertions are on real traffic and on the
// exact stderr lines, recorded from haproxy 2.6.12 running the same configurations.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, connectWhenUp } from './helpers/net.js';
import { checkConfigText as check, line, startSwitchyard as start } from './helpers/proc.js';
import { loadAddon } from '../src/native/addon.js';
import { cli } from './helpers/cli.js';

const children: ChildProcess[] = [];
const servers: net.Server[] = [];
const cleanups: (() => void)[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) s.close();
  for (const f of cleanups) f();
});

/** A TCP server that answers each connection with its name, and can be stopped and restarted. */
interface Origin {
  port: number;
  hits: number;
  up(): Promise<void>;
  down(): Promise<void>;
}

async function origin(name: string, handler?: (c: net.Socket) => void): Promise<Origin> {
  const port = await freePort();
  let srv: net.Server | null = null;
  const o: Origin = {
    port,
    hits: 0,
    async up() {
      if (srv) return;
      const s = net.createServer((c) => {
        c.on('error', () => undefined);
        if (handler) return handler(c);
        o.hits++;
        c.end(name);
      });
      srv = s;
      servers.push(s);
      s.listen(port, '127.0.0.1');
      await once(s, 'listening');
    },
    async down() {
      const s = srv;
      srv = null;
      if (!s) return;
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
  await o.up();
  return o;
}

/** One connection through the proxy: the server's first answer ('' when closed without one). */
function hit(port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    c.once('data', (x) => {
      c.destroy();
      resolve(String(x));
    });
    c.on('error', () => resolve(''));
    c.on('close', () => resolve(''));
  });
}

async function hits(port: number, n: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await hit(port);
    out[r] = (out[r] ?? 0) + 1;
  }
  return out;
}

const DEFAULTS = 'defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';

test('TCP checks: fall × inter takes a dead server out, rise × inter brings it back, with HAProxy messages', { timeout: 30_000 }, async () => {
  const s1 = await origin('s1');
  const s2 = await origin('s2');
  const port = await freePort();
  const p = start(`${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${s1.port} check inter 100 rise 2 fall 2\n server s2 127.0.0.1:${s2.port} check inter 100 rise 2 fall 2\n`);
  (await connectWhenUp(port)).destroy();
  await s1.down();
  const down = await p.waitFor(/Server l\/s1 is DOWN/);
  // The first connection's session may still be closing on its worker when the checks (on the
  // main thread) mark s1 DOWN: its count is timing, HAProxy's words are not.
  const want = line(
    '[WARNING]  (PID) : Server l/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
  );
  assert.match(down, new RegExp(want.source.replace('0 sessions active', '[01] sessions active')));
  assert.deepEqual(await hits(port, 10), { s2: 10 }, 'the DOWN server gets no connection');
  await s2.down();
  await p.waitFor(/Server l\/s2 is DOWN/);
  assert.match(await p.waitFor(/has no server available/), line("[ALERT]    (PID) : proxy 'l' has no server available!"));
  assert.equal(await hit(port), '', 'no server: the connection is closed');
  const from = p.lines.length;
  await s1.up();
  const up = await p.waitFor(/Server l\/s1 is UP/, from);
  assert.match(up, line('[WARNING]  (PID) : Server l/s1 is UP, reason: Layer4 check passed, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.'));
  assert.deepEqual(await hits(port, 4), { s1: 4 });
});

for (const native of [true, false]) {
  test(`TCP checks ${native ? 'on the native prober: the server never accepts a probe, as with HAProxy' : 'without the addon (net.Socket): the same verdicts'}`, { timeout: 30_000 }, async () => {
    const s1 = await origin('s1');
    const port = await freePort();
    const env = native ? undefined : { ...process.env, SWITCHYARD_NO_NATIVE: '1' };
    const p = start(`${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${s1.port} check inter 50 rise 5 fall 1\n`, env);
    (await connectWhenUp(port)).destroy();
    await s1.down();
    await p.waitFor(/Server l\/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused"/);
    s1.hits = 0;
    const from = p.lines.length;
    await s1.up();
    await p.waitFor(/Server l\/s1 is UP, reason: Layer4 check passed/, from);
    // rise 5: five probes connected. On the net.Socket path each completes its handshake and
    // the origin accepts it; the prober holds back the handshake's last ACK and resets first.
    // (At most one is tolerated: a probe whose harvest waits past the 40 ms delayed-ACK timer,
    // on a machine stalled by other tests, lets its ACK through.)
    if (native) assert.ok(s1.hits <= 1, `the origin accepted ${s1.hits} probes`);
    else assert.ok(s1.hits >= 5, `the origin accepted ${s1.hits} probes, expected one per check`);
    assert.deepEqual(await hits(port, 3), { s1: 3 });
  });
}

/** A listener nobody accepts from, its accept queue (backlog 0) full: SYNs to it go unanswered. */
async function silentListener(): Promise<{ port: number; close(): void }> {
  const addon = loadAddon()!;
  const fd = addon.createListener({ host: '127.0.0.1', port: 0, family: 4, backlog: 0 });
  const port = addon.localPort(fd);
  const filler = net.connect(port, '127.0.0.1');
  await once(filler, 'connect');
  return {
    port,
    close: () => {
      filler.destroy();
      addon.close(fd);
    },
  };
}

for (const native of [true, false]) {
  test(`a handshake that never completes: Layer4 timeout after min(inter, timeout connect)${native ? '' : ' (net.Socket)'}`, { timeout: 30_000, skip: loadAddon() ? false : 'native addon not built' }, async (t) => {
    const silent = await silentListener();
    t.after(() => silent.close());
    const port = await freePort();
    const env = native ? undefined : { ...process.env, SWITCHYARD_NO_NATIVE: '1' };
    const p = start(`defaults\n mode tcp\n timeout connect 2s\n timeout check 1s\n timeout client 5s\n timeout server 5s\nlisten l\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${silent.port} check inter 200 fall 1\n`, env);
    // haproxy 2.6.12 on the same configuration: "check duration: 202ms".
    const down = await p.waitFor(/Server l\/s1 is DOWN/);
    assert.match(down, line('[WARNING]  (PID) : Server l/s1 is DOWN, reason: Layer4 timeout, check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'));
    const ms = Number(/check duration: (\d+)ms/.exec(down)![1]);
    assert.ok(ms >= 200 && ms < 1500, `timed out by inter (200 ms), not timeout connect (2 s): ${ms} ms`);
  });
}

test('maintenance and `disable health` stop the probes; `enable` resumes them', { timeout: 30_000 }, async () => {
  const s1 = await origin('s1');
  await s1.down();
  const port = await freePort();
  const api = await freePort();
  const p = start(`global\n stats socket ipv4@127.0.0.1:${api} level admin\n${DEFAULTS}listen l\n option log-health-checks\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${s1.port} check inter 50 rise 1 fall 1\n`);
  await p.waitFor(/Health check for server l\/s1 failed/);
  // The origin comes back while the check is stopped: a probe (inter 50 ms: ~8 in the window)
  // would log "Health check for server l/s1 succeeded".
  for (const [stop, resume] of [
    ['disable server l/s1', 'enable server l/s1'],
    ['disable health l/s1', 'enable health l/s1'],
  ] as const) {
    assert.equal(await cli(api, `${stop}\n`), '\n');
    const from = p.lines.length;
    await s1.up();
    await new Promise((r) => setTimeout(r, 400));
    const ran = p.lines.slice(from).filter((l) => l.includes('Health check for server l/s1'));
    assert.deepEqual(ran, [], `no probe after "${stop}"`);
    assert.equal(await cli(api, `${resume}\n`), '\n');
    await p.waitFor(/Health check for server l\/s1 succeeded/, from);
    await s1.down();
    await p.waitFor(/Health check for server l\/s1 failed/, from);
  }
});

test('checks send the PROXY header as HAProxy does: send-proxy[-v2] without port/addr, check-send-proxy, connect send-proxy; not to agents', { timeout: 30_000 }, async () => {
  // What each server receives first on a connection, with the connection's client port.
  interface Seen {
    port: number | undefined;
    data: Buffer;
  }
  // A connection's bytes are recorded when it closes (a check resets or closes it).
  const recorder = async (reply?: string): Promise<{ port: number; seen: Seen[]; next(): Promise<Seen> }> => {
    const seen: Seen[] = [];
    const ev = new EventEmitter();
    const srv = net.createServer((c) => {
      const from = c.remotePort;
      const chunks: Buffer[] = [];
      c.on('error', () => undefined);
      c.on('data', (d: Buffer) => {
        chunks.push(d);
        // A request (or an agent's line) is complete: answer it.
        if (reply && d.at(-1) === 0x0a) c.end(reply);
      });
      c.on('close', () => {
        if (chunks.length === 0) return;
        const s = { port: from, data: Buffer.concat(chunks) };
        seen.push(s);
        ev.emit('seen', s);
      });
    });
    servers.push(srv);
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    return { port: (srv.address() as net.AddressInfo).port, seen, next: async () => ((await once(ev, 'seen')) as [Seen])[0] };
  };
  const ok = 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n';
  const [tcp, v2http, forced, ported, rule, v2opts, agent] = await Promise.all([recorder(), recorder(ok), recorder(), recorder(ok), recorder(), recorder(), recorder('up\n')]);
  const port = await freePort();
  start(
    `${DEFAULTS}frontend f\n bind 127.0.0.1:${port}\n default_backend b1\n` +
      `backend b1\n server s 127.0.0.1:${tcp.port} send-proxy check inter 100\n` +
      `backend b2\n option httpchk GET /h\n server s 127.0.0.1:${v2http.port} send-proxy-v2 check inter 100\n` +
      `backend b3\n server s 127.0.0.1:${forced.port} check-send-proxy check inter 100\n` +
      `backend b4\n option httpchk GET /h\n server s 127.0.0.1:${ported.port} send-proxy check port ${ported.port} inter 100\n` +
      `backend b5\n option tcp-check\n tcp-check connect send-proxy\n tcp-check send hello\\r\\n\n server s 127.0.0.1:${rule.port} check inter 100\n` +
      `backend b6\n server s 127.0.0.1:${v2opts.port} send-proxy-v2 proxy-v2-options crc32c,unique-id,ssl check inter 100\n` +
      `backend b7\n server s 127.0.0.1:${agent.port} send-proxy agent-check agent-port ${agent.port} agent-inter 100 agent-send ping\\n\n`,
  );
  // The source port is the check connection's own (unknown here when the check's reset came
  // before this side read its address).
  const v1 = (s: Seen, dst: number, tail = ''): RegExp => new RegExp(`^PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 ${s.port ?? '[1-9][0-9]*'} ${dst}\r\n${tail}$`);
  // Bytes recorded from haproxy 2.6.12 on the same configuration (a check is a LOCAL
  // connection in v2; no unique-id TLV without a stream).
  const local = Buffer.from('0d0a0d0a000d0a515549540a200000' + '00', 'hex');
  const localTlvs = Buffer.from('0d0a0d0a000d0a515549540a2000000f' + '030004889da1df' + '20000500000000' + '00', 'hex');
  const first = async (r: { seen: Seen[]; next(): Promise<Seen> }): Promise<Seen> => r.seen[0] ?? (await r.next());
  const t = await first(tcp);
  assert.match(String(t.data), v1(t, tcp.port), 'send-proxy: a TCP check completes the handshake to send the header');
  assert.deepEqual((await first(v2http)).data, Buffer.concat([local, Buffer.from('GET /h HTTP/1.0\r\n\r\n')]));
  const f = await first(forced);
  assert.match(String(f.data), v1(f, forced.port), 'check-send-proxy alone: v1');
  assert.equal(String((await first(ported)).data), 'GET /h HTTP/1.0\r\n\r\n', 'a check on its own port sends no header');
  const r = await first(rule);
  assert.match(String(r.data), v1(r, rule.port, 'hello\r\n'));
  assert.deepEqual((await first(v2opts)).data, localTlvs);
  assert.equal(String((await first(agent)).data), 'ping\n', 'agent checks never send the header');
});

test('option log-health-checks: each check that moves the rise/fall counter is reported', { timeout: 30_000 }, async () => {
  const s1 = await origin('s1');
  const port = await freePort();
  const p = start(`${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n option log-health-checks\n server s1 127.0.0.1:${s1.port} check inter 100 rise 2 fall 2\n`);
  await p.waitFor(/succeeded/);
  await s1.down();
  await p.waitFor(/has no server available/);
  await s1.up();
  await p.waitFor(/is UP/);
  // Recorded from haproxy 2.6.12 with the same configuration.
  const want = [
    '[WARNING]  Health check for server l/s1 succeeded, reason: Layer4 check passed, check duration: Nms, status: 2/2 UP.',
    '[WARNING]  Health check for server l/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 1/2 UP.',
    '[WARNING]  Health check for server l/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 0/2 DOWN.',
    '[WARNING]  Server l/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    "[ALERT]    proxy 'l' has no server available!",
    '[WARNING]  Health check for server l/s1 succeeded, reason: Layer4 check passed, check duration: Nms, status: 1/2 DOWN.',
    '[WARNING]  Health check for server l/s1 succeeded, reason: Layer4 check passed, check duration: Nms, status: 2/2 UP.',
    '[WARNING]  Server l/s1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
  ];
  const got = p.messages().filter((m) => /check for|Server l|no server/.test(m));
  assert.equal(got.length, want.length, got.join('\n'));
  want.forEach((w, i) => assert.match(got[i]!, line(w)));
});

/** An HTTP origin whose answer can be changed; records each request it receives. */
async function httpOrigin(name: string): Promise<Origin & { status: string; requests: string[] }> {
  const requests: string[] = [];
  let ref: { status: string } = { status: '200 OK' };
  const o = await origin(name, (c) => {
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      requests.push(buf);
      if (!buf.startsWith('GET /health') && !buf.startsWith('OPTIONS')) o.hits++;
      c.end(`HTTP/1.1 ${ref.status}\r\nContent-Length: ${name.length}\r\nConnection: close\r\n\r\n${name}`);
    });
  });
  const out = Object.assign(o, { status: '200 OK', requests });
  ref = out;
  return out;
}

function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1' }, () => c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let d = '';
    c.on('data', (x) => (d += x));
    c.on('error', () => undefined);
    c.on('close', () => {
      const status = Number(/^HTTP\/1\.[01] (\d+)/.exec(d)?.[1] ?? 0);
      resolve({ status, body: d.slice(d.indexOf('\r\n\r\n') + 4) });
    });
  });
}

const HTTP_DEFAULTS = 'defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';

test('option httpchk: a failing server gets no traffic within fall × inter and comes back after rise × inter', { timeout: 30_000 }, async () => {
  const a = await httpOrigin('a');
  const b = await httpOrigin('b');
  const port = await freePort();
  const p = start(
    `${HTTP_DEFAULTS}listen l\n bind 127.0.0.1:${port}\n option httpchk GET /health\n server a 127.0.0.1:${a.port} check inter 100 rise 2 fall 2\n server b 127.0.0.1:${b.port} check inter 100 rise 2 fall 2\n`,
  );
  (await connectWhenUp(port)).destroy();
  a.status = '503 Service Unavailable';
  const down = await p.waitFor(/Server l\/a is DOWN/);
  assert.match(
    down,
    line(
      '[WARNING]  (PID) : Server l/a is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    ),
  );
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add((await get(port)).body);
  assert.deepEqual([...seen], ['b'], 'the failing server gets no request');
  // The request HAProxy sends for `option httpchk GET /health` (HTTP/1.0, nothing else).
  assert.equal(a.requests[0], 'GET /health HTTP/1.0\r\n\r\n');
  const from = p.lines.length;
  a.status = '200 OK';
  assert.match(
    await p.waitFor(/Server l\/a is UP/, from),
    line('[WARNING]  (PID) : Server l/a is UP, reason: Layer7 check passed, code: 200, check duration: Nms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.'),
  );
  for (let i = 0; i < 6; i++) seen.add((await get(port)).body);
  assert.ok(seen.has('a'), 'back in rotation');
});

test('http-check send/expect, the legacy request form, disable-on-404 and the TCPCHK infos', { timeout: 30_000 }, async () => {
  const legacy = await httpOrigin('legacy');
  const body = await httpOrigin('body');
  const nolb = await httpOrigin('nolb');
  const other = await httpOrigin('other');
  const redis = await origin('redis', (c) => c.on('data', () => c.end('-ERR nope\r\n')));
  const port = await freePort();
  const p = start(
    `${HTTP_DEFAULTS}frontend f\n bind 127.0.0.1:${port}\n default_backend b3\n` +
      `backend b1\n option httpchk HEAD /c HTTP/1.1\\r\\nHost:\\ www.example\n server s 127.0.0.1:${legacy.port} check inter 100\n` +
      `backend b2\n option httpchk\n http-check send meth GET uri /x ver HTTP/1.1 hdr Host foo.example\n http-check expect string OKAY\n server s 127.0.0.1:${body.port} check inter 100 rise 1 fall 1\n` +
      `backend b3\n option httpchk\n http-check disable-on-404\n server s 127.0.0.1:${nolb.port} check inter 100 rise 1 fall 1\n server t 127.0.0.1:${other.port} check inter 100\n` +
      `backend b4\n mode tcp\n option tcp-check\n tcp-check send PING\\r\\n\n tcp-check expect string +PONG\n server s 127.0.0.1:${redis.port} check inter 100 rise 1 fall 1\n`,
  );
  assert.match(
    await p.waitFor(/Server b2\/s is DOWN/),
    line('[WARNING]  (PID) : Server b2/s is DOWN, reason: Layer7 invalid response, info: "HTTP content check did not match", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'),
  );
  assert.equal(body.requests[0], 'GET /x HTTP/1.1\r\nhost: foo.example\r\nconnection: close\r\n\r\n');
  assert.equal(legacy.requests[0], 'HEAD /c HTTP/1.1\r\nhost: www.example\r\nconnection: close\r\n\r\n');
  assert.match(
    await p.waitFor(/Server b4\/s is DOWN/),
    line('[WARNING]  (PID) : Server b4/s is DOWN, reason: Layer7 invalid response, info: "TCPCHK did not match content \'+PONG\' at step 2", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'),
  );
  // disable-on-404: the server is "stopping" (NOLB): no new traffic, but it is not DOWN.
  nolb.status = '404 Not Found';
  assert.match(
    await p.waitFor(/Server b3\/s is stopping/),
    line('[WARNING]  (PID) : Server b3/s is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: Nms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.'),
  );
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add((await get(port)).body);
  assert.deepEqual([...seen], ['other']);
});

test('agent-check: drain stops new traffic and keeps open connections, ready brings it back, down/up and weights', { timeout: 30_000 }, async () => {
  let reply = 'up\n';
  const agent = await origin('agent', (c) => c.end(reply));
  const held: net.Socket[] = [];
  const s1 = await origin('s1', (c) => {
    held.push(c);
    s1.hits++;
    c.write('s1');
    c.on('data', (d) => c.write(d));
  });
  const s2 = await origin('s2');
  const port = await freePort();
  const p = start(
    `${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${s1.port} weight 100 agent-check agent-port ${agent.port} agent-inter 100\n server s2 127.0.0.1:${s2.port} weight 100\n`,
  );
  (await connectWhenUp(port)).destroy();
  // A client of s1 that stays connected across the drain.
  let persistent: net.Socket | null = null;
  for (let i = 0; i < 10 && !persistent; i++) {
    const c = net.connect({ port, host: '127.0.0.1' });
    const first = await new Promise<string>((r) => c.once('data', (d) => r(String(d))));
    if (first === 's1') persistent = c;
    else c.destroy();
  }
  assert.ok(persistent, 'a client reached s1');
  reply = 'drain\n';
  assert.match(
    await p.waitFor(/enters drain state/),
    line('[WARNING]  (PID) : Server l/s1 enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.'),
  );
  const before = s1.hits;
  assert.deepEqual(await hits(port, 6), { s2: 6 }, 'no new connection to the drained server');
  assert.equal(s1.hits, before);
  persistent.write('still here');
  assert.equal(await new Promise<string>((r) => persistent!.once('data', (d) => r(String(d)))), 'still here', 'the open connection keeps working');
  persistent.destroy();
  let from = p.lines.length;
  reply = 'ready\n';
  assert.match(await p.waitFor(/leaving forced drain/, from), line('[WARNING]  (PID) : Server l/s1 is UP (leaving forced drain).'));
  from = p.lines.length;
  reply = 'down # going away\n';
  assert.match(
    await p.waitFor(/Server l\/s1 is DOWN/, from),
    line('[WARNING]  (PID) : Server l/s1 is DOWN, reason: Layer7 wrong status, code: 0, info: "via agent : down (going away)", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'),
  );
  from = p.lines.length;
  reply = 'up 10%\n';
  assert.match(
    await p.waitFor(/Server l\/s1 is UP/, from),
    line('[WARNING]  (PID) : Server l/s1 is UP, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: Nms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.'),
  );
  for (const c of held) c.destroy();
  // Weight 10 against 100: s1 takes about one connection in eleven.
  const dist = await hits(port, 44);
  assert.ok((dist['s2'] ?? 0) >= 36, JSON.stringify(dist));
});

test('slowstart: a server coming back starts at 1/16 of its weight', { timeout: 30_000 }, async () => {
  const s1 = await origin('s1');
  const s2 = await origin('s2');
  const port = await freePort();
  const p = start(
    `${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${s1.port} weight 100 check inter 100 rise 1 fall 1 slowstart 60s\n server s2 127.0.0.1:${s2.port} weight 100 check inter 100\n`,
  );
  (await connectWhenUp(port)).destroy();
  const even = await hits(port, 20);
  assert.ok((even['s1'] ?? 0) >= 8, `full weight at start: ${JSON.stringify(even)}`);
  await s1.down();
  await p.waitFor(/Server l\/s1 is DOWN/);
  await s1.up();
  await p.waitFor(/Server l\/s1 is UP/);
  // Within its first seconds the server weighs ceil(100 × 1/16) = 7 (then 2/16 ...) against 100.
  const ramp = await hits(port, 60);
  assert.ok((ramp['s1'] ?? 0) >= 1 && (ramp['s1'] ?? 0) <= 12, JSON.stringify(ramp));
});

test('track: a tracking server follows the tracked one, "via" in the messages', { timeout: 30_000 }, async () => {
  const s1 = await origin('s1');
  const port = await freePort();
  const p = start(`${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${s1.port} check inter 100 rise 1 fall 1\nbackend b2\n server t1 127.0.0.1:${s1.port} track l/s1\n`);
  (await connectWhenUp(port)).destroy();
  await s1.down();
  assert.match(
    await p.waitFor(/Server b2\/t1 is DOWN/),
    line('[WARNING]  (PID) : Server b2/t1 is DOWN via l/s1. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'),
  );
  await s1.up();
  assert.match(
    await p.waitFor(/Server b2\/t1 is UP/),
    line('[WARNING]  (PID) : Server b2/t1 is UP via l/s1. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.'),
  );
});


test('configuration errors and warnings, as haproxy -c prints them', () => {
  const base = `${HTTP_DEFAULTS}frontend f\n bind 127.0.0.1:1\n default_backend be\nbackend be\n server s1 127.0.0.1:80 check\n`;
  const cases: [string, string][] = [
    [
      ' option httpchk\n http-check send meth GET\n http-check send meth HEAD\n',
      "[ALERT]    (PID) : config : parsing [t.cfg:13] : 'http-check send' : unable to add http-check send rule at step 2 (missing connect rule)..",
    ],
    [' no option httpchk\n', "[ALERT]    (PID) : config : parsing [t.cfg:11]: negation/default is not supported for option 'httpchk'."],
    [' option pgsql-check\n', "[ALERT]    (PID) : config : parsing [t.cfg:11] : 'option pgsql-check' expects 'user <username>' as argument."],
    [' option tcp-check\n tcp-check expect\n', "[ALERT]    (PID) : config : parsing [t.cfg:12] : 'tcp-check expect' : expects at least a matching pattern as arguments."],
    [
      ' option tcp-check\n tcp-check send x\n tcp-check connect\n',
      "[ALERT]    (PID) : config : parsing [t.cfg:13] : 'tcp-check connect' : first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset.",
    ],
    [' tcp-check connect\n', "[WARNING]  (PID) : config : backend 'be' uses tcp-check rules without 'option tcp-check', so the rules are ignored."],
    [' http-check expect status 200\n', "[WARNING]  (PID) : config : backend 'be' uses http-check rules without 'option httpchk', so the rules are ignored."],
    [' server s2 127.0.0.1:80 track s1 check\n', "[ALERT]    (PID) : config : [t.cfg:11] : 'server be/s2' : unable to enable checks and tracking at the same time!"],
    [' server s2 127.0.0.1 check\n', "[ALERT]    (PID) : config : config: backend 'be': server 's2' has neither service port nor check port."],
  ];
  for (const [extra, want] of cases) {
    const r = check(base + extra);
    assert.ok(r.err.split('\n').includes(want), `${extra}\n---\n${r.err}`);
  }
});

// --- Real databases: private MariaDB and PostgreSQL instances on loopback ---------------------

function which(...names: string[]): string | null {
  for (const n of names) {
    for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/bin', ...(process.env['PATH'] ?? '').split(':')]) {
      if (existsSync(join(dir, n))) return join(dir, n);
    }
  }
  return null;
}

function pgBin(name: string): string | null {
  for (const v of ['17', '16', '15', '14', '13']) {
    const p = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (existsSync(p)) return p;
  }
  return which(name);
}

async function waitPort(port: number): Promise<void> {
  (await connectWhenUp(port, 1200)).destroy();
}

test('option mysql-check against a real MariaDB: the authentication exchange, success and "Access denied"', { timeout: 60_000 }, async (t) => {
  const installDb = which('mariadb-install-db', 'mysql_install_db');
  const mysqld = which('mariadbd', 'mysqld');
  const client = which('mariadb', 'mysql');
  if (!installDb || !mysqld || !client || process.platform !== 'linux') return t.skip('MariaDB is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'sy-mariadb-'));
  const root = process.getuid?.() === 0 ? ['--user=root'] : [];
  const init = spawnSync(installDb, ['--no-defaults', `--datadir=${dir}/data`, ...root, '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  const dbPort = await freePort();
  const sock = join(dir, 'sock');
  const db = spawn(mysqld, ['--no-defaults', `--datadir=${dir}/data`, ...root, `--port=${dbPort}`, '--bind-address=127.0.0.1', `--socket=${sock}`, '--skip-log-bin', '--innodb-buffer-pool-size=16M'], {
    stdio: 'ignore',
  });
  cleanups.push(() => db.kill('SIGKILL'));
  await waitPort(dbPort);
  const sql = spawnSync(client, ['--no-defaults', '-S', sock, '-uroot', '-e', "CREATE USER 'haproxy'@'127.0.0.1'; CREATE USER 'haproxy'@'localhost';"], { encoding: 'utf8' });
  assert.equal(sql.status, 0, sql.stderr);
  const port = await freePort();
  const p = start(
    `${DEFAULTS}frontend f\n bind 127.0.0.1:${port}\n default_backend ok\n` +
      `backend ok\n option mysql-check user haproxy\n option log-health-checks\n server s1 127.0.0.1:${dbPort} check inter 200\n` +
      `backend denied\n option mysql-check user nobody\n server s2 127.0.0.1:${dbPort} check inter 200\n`,
  );
  assert.match(await p.waitFor(/server ok\/s1 succeeded/), /reason: Layer7 check passed, code: 0, info: "5\.5\.5-[0-9.]+-MariaDB[^"]*", check duration: \d+ms, status: 3\/3 UP\.$/);
  assert.match(
    await p.waitFor(/Server denied\/s2 is DOWN/),
    /Server denied\/s2 is DOWN, reason: Layer7 wrong status, code: 1045, info: "#28000Access denied for user 'nobody'@'localhost' \(using password: NO\)", check duration: \d+ms\. 0 active/,
  );
  db.kill('SIGTERM');
  await once(db, 'exit');
});

test('option pgsql-check against a real PostgreSQL: trust, md5/SCRAM requests, and a rejected user', { timeout: 60_000 }, async (t) => {
  const initdb = pgBin('initdb');
  const postgres = pgBin('postgres');
  if (!initdb || !postgres || process.platform !== 'linux') return t.skip('PostgreSQL is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'sy-pg-'));
  // PostgreSQL refuses to run as root: use its own system user when there is one.
  const asRoot = process.getuid?.() === 0;
  const pgUser = asRoot ? spawnSync('id', ['-u', 'postgres']).status === 0 : true;
  if (!pgUser) return t.skip('running as root without a postgres user');
  const run = (cmd: string, args: string[]): ReturnType<typeof spawnSync> =>
    asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  if (asRoot) {
    chmodSync(dir, 0o777);
  }
  const init = run(initdb, ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-N']);
  assert.equal(init.status, 0, String(init.stderr));
  writeFileSync(
    `${dir}/data/pg_hba.conf`,
    'host all rejected 127.0.0.1/32 reject\nhost all secret 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\nlocal all all trust\n',
  );
  const dbPort = await freePort();
  const args = ['-D', `${dir}/data`, '-p', String(dbPort), '-k', dir, '-c', 'listen_addresses=127.0.0.1'];
  const db = asRoot ? spawn('runuser', ['-u', 'postgres', '--', postgres, ...args], { stdio: 'ignore' }) : spawn(postgres, args, { stdio: 'ignore' });
  cleanups.push(() => {
    try {
      const pid = Number(readFileSync(`${dir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    db.kill('SIGKILL');
  });
  await waitPort(dbPort);
  const port = await freePort();
  const p = start(
    `${DEFAULTS}frontend f\n bind 127.0.0.1:${port}\n default_backend ok\n` +
      `backend ok\n option pgsql-check user haproxy\n option log-health-checks\n server s1 127.0.0.1:${dbPort} check inter 200\n` +
      `backend scram\n option pgsql-check user secret\n option log-health-checks\n server s2 127.0.0.1:${dbPort} check inter 200\n` +
      `backend rejected\n option pgsql-check user rejected\n server s3 127.0.0.1:${dbPort} check inter 200\n`,
  );
  assert.match(await p.waitFor(/server ok\/s1 succeeded/), line('[WARNING]  (PID) : Health check for server ok/s1 succeeded, reason: Layer7 check passed, code: 0, info: "PostgreSQL server is ok", check duration: Nms, status: 3/3 UP.'));
  assert.match(await p.waitFor(/server scram\/s2 succeeded/), line('[WARNING]  (PID) : Health check for server scram/s2 succeeded, reason: Layer7 check passed, code: 0, info: "PostgreSQL server is ok", check duration: Nms, status: 3/3 UP.'));
  assert.match(
    await p.waitFor(/Server rejected\/s3 is DOWN/),
    line('[WARNING]  (PID) : Server rejected/s3 is DOWN, reason: Layer7 invalid response, info: "FATAL", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'),
  );
});

test('redis-check, smtpchk, ssl-hello-chk and ldap-check against small servers speaking each protocol', { timeout: 30_000 }, async () => {
  const reply = (text: string | Buffer) => (c: net.Socket) => c.once('data', () => c.end(text));
  const smtp = (answer: string, received: string[]) => (c: net.Socket) => {
    c.write('220 mx ESMTP ready\r\n');
    c.on('data', (d) => {
      received.push(String(d));
      if (received.length % 2 === 1) {
        c.write(answer);
        if (answer.startsWith('5')) c.end();
      } else c.end('221 bye\r\n');
    });
  };
  const smtpSeen: string[] = [];
  const o = {
    redisOk: await origin('', reply('+PONG\r\n')),
    redisKo: await origin('', reply('-ERR wrong password\r\n')),
    smtpOk: await origin('', smtp('250-mx hello\r\n250 OK\r\n', smtpSeen)),
    smtpKo: await origin('', smtp('550 go away\r\n', [])),
    sslOk: await origin('', reply(Buffer.from('16030000 4a0200'.replace(/ /g, ''), 'hex'))),
    sslKo: await origin('', reply('HTTP/1.0 400 Bad\r\n')),
    ldapOk: await origin('', reply(Buffer.from('300c02010161070a010004000400', 'hex'))),
    ldapKo: await origin('', reply(Buffer.from('300c02010161070a013104000400', 'hex'))),
  };
  const port = await freePort();
  const be = (name: string, option: string, ok: Origin, ko: Origin): string =>
    `backend ${name}\n option ${option}\n option log-health-checks\n server ok 127.0.0.1:${ok.port} check inter 200\n server ko 127.0.0.1:${ko.port} check inter 200\n`;
  const p = start(
    `${DEFAULTS}frontend f\n bind 127.0.0.1:${port}\n default_backend redis\n` +
      be('redis', 'redis-check', o.redisOk, o.redisKo) +
      be('smtp', 'smtpchk EHLO example.org', o.smtpOk, o.smtpKo) +
      be('ssl', 'ssl-hello-chk', o.sslOk, o.sslKo) +
      be('ldap', 'ldap-check', o.ldapOk, o.ldapKo),
  );
  // Recorded from haproxy 2.6.12 against the same servers.
  const want = [
    'Health check for server redis/ok succeeded, reason: Layer7 check passed, code: 0, info: "Redis server is ok", check duration: Nms, status: 3/3 UP.',
    'Health check for server redis/ko failed, reason: Layer7 wrong status, code: 0, info: "-ERR wrong password", check duration: Nms, status: 0/2 DOWN.',
    'Health check for server smtp/ok succeeded, reason: Layer7 check passed, code: 221, info: "bye", check duration: Nms, status: 3/3 UP.',
    'Health check for server smtp/ko failed, reason: Layer7 wrong status, code: 550, info: "go away", check duration: Nms, status: 0/2 DOWN.',
    'Health check for server ssl/ok succeeded, reason: Layer6 check passed, check duration: Nms, status: 3/3 UP.',
    'Health check for server ssl/ko failed, reason: Layer6 invalid response, check duration: Nms, status: 0/2 DOWN.',
    'Health check for server ldap/ok succeeded, reason: Layer7 check passed, code: 0, info: "Success", check duration: Nms, status: 3/3 UP.',
    'Health check for server ldap/ko failed, reason: Layer7 wrong status, code: 49, info: "See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9", check duration: Nms, status: 0/2 DOWN.',
  ];
  for (const w of want) {
    const server = /server (\S+) /.exec(w)![1]!;
    assert.match(await p.waitFor(new RegExp(`server ${server.replace('/', '\\/')} `)), line(`[WARNING]  (PID) : ${w}`));
  }
  assert.deepEqual(smtpSeen.slice(0, 2), ['EHLO example.org\r\n', 'QUIT\r\n']);
});
