// tcp-request / tcp-response rules and content switching in TCP mode: the rules' three-way
// conditions and the layer-6 fetches on plain Txn objects, the inspection loop on a real
// socket, then whole configurations end to end over loopback (JS path and, with the addon,
// the native accept path, whose inspecting frontends are read in JS).
//
// Every end-to-end expectation below was first observed on the real haproxy 2.6.12 with the
// same configuration and client. `SY_CROSSCHECK=1` runs those scenarios against
// /usr/sbin/haproxy as well (each config's own port), so the facts can be checked again.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from '../src/cli/main.js';
import { compileProxyRules, type CompiledProxyRules } from '../src/rules/runtime/compile.js';
import { RuleCompileError } from '../src/rules/runtime/context.js';
import { toStr } from '../src/rules/runtime/sample.js';
import { compileExpr } from '../src/rules/runtime/expr.js';
import { parseSampleExpr } from '../src/rules/sample-expr.js';
import { installFeatures } from '../src/features.js';
import type { BackendState, L4Content, Txn } from '../src/rules/runtime/txn.js';
import type { TcpVerdict } from '../src/rules/runtime/verdict.js';
import { HeldInput, inspect } from '../src/dataplane/tcp-inspect.js';
import { DataPlane } from '../src/dataplane/runtime.js';
import { checkConfigText } from './helpers/proc.js';
import { FC } from '../src/ipc/conn-gauges.js';
import { loadAddon } from '../src/native/addon.js';
import type { AcceptMode } from '../src/ipc/messages.js';
import { checkedModel } from './helpers/model.js';
import { connectWhenUp, freePort } from './helpers/net.js';

const registries = installFeatures();

// ---------------------------------------------------------------------------------------------
// Rules on plain transactions

const NO_STATE: BackendState = {
  usableServers: () => 1,
  serverIsUp: () => true,
  backendConns: () => 0,
  backendQueue: () => 0,
  connSlots: () => -1,
};

function l4(req: string | Buffer, final: boolean, res: string | Buffer = ''): L4Content {
  const b = (x: string | Buffer): Buffer => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x);
  return { req: b(req), res: b(res), reqOpen: !final, resOpen: !final, final, miss: false, bufsize: 16384, limit: 15360 };
}

function txnOf(content: L4Content | undefined, src = '127.0.0.1'): Txn {
  return {
    src,
    srcPort: 40000,
    dst: '127.0.0.1',
    dstPort: 8000,
    family: 4,
    frontend: { name: 'l', id: 1 },
    backend: null,
    server: null,
    ssl: false,
    sni: null,
    req: null,
    res: null,
    vars: new Map(),
    state: NO_STATE,
    now: Date.now,
    ...(content ? { l4: content } : {}),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sy-tcp-rules-'));
const BASE = 'defaults\n mode tcp\n timeout client 5s\n timeout server 5s\n timeout connect 5s\n';

function rulesOf(lines: string, mode: 'tcp' | 'http' = 'tcp'): CompiledProxyRules {
  const text = `${BASE}listen l\n mode ${mode}\n bind 127.0.0.1:1\n server s 127.0.0.1:1\n${lines}`;
  const { model, diag } = checkConfig([{ name: 't.cfg', text }], process.env);
  assert.deepEqual(diag.items.filter((d) => d.severity === 'alert').map((d) => d.message), []);
  return compileProxyRules(model.proxies[0]!, { baseDir: dir, config: model });
}

const content = (r: CompiledProxyRules, req: string | Buffer, final: boolean, src?: string): TcpVerdict['kind'] =>
  r.tcpRequestContent(txnOf(l4(req, final), src)).kind;

/** One fetch's value as a string ('<none>' when it fails), and whether it would wait. */
function fetch(expr: string, c: L4Content | undefined, where: 'req' | 'res' = 'req'): { v: string; miss: boolean } {
  const parsed = parseSampleExpr(expr, registries);
  assert.ok(parsed.ok, expr);
  const { model } = checkConfig([{ name: 't.cfg', text: `${BASE}listen l\n bind 127.0.0.1:1\n server s 127.0.0.1:1\n` }], process.env);
  const ctx = { proxy: model.proxies[0]!, dir: where, baseDir: dir, registries, procVars: new Map(), files: new Map(), backends: new Set<string>() };
  const s = compileExpr(parsed.expr, ctx).one(txnOf(c));
  return { v: s ? (toStr(s) ?? `<${s.type}>`) : '<none>', miss: c?.miss ?? false };
}

/** A TLS ClientHello as node's TLS client sends it. */
function clientHello(servername: string, alpn?: string[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const srv = net.createServer((c) => {
      let got = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 5 && got.length >= 5 + got.readUInt16BE(3)) {
          resolve(got);
          c.destroy();
          srv.close();
        }
      });
    });
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      tls.connect({ port, host: '127.0.0.1', servername, ALPNProtocols: alpn, rejectUnauthorized: false }).on('error', () => undefined);
    });
  });
}

/** An RDP connection request carrying `Cookie: mstshash=USER` (TPKT + X.224 headers first). */
const rdpRequest = (user: string): Buffer =>
  Buffer.from(`\x03\x00\x00\x2f\x2a\xe0\x00\x00\x00\x00\x00Cookie: mstshash=${user}\r\n\x01\x00\x08\x00\x03\x00\x00\x00`, 'latin1');

describe('content rules decide, wait, or give up as HAProxy does', () => {
  test('a fetch lacking data makes the rule wait until final; then it simply fails', () => {
    const r = rulesOf(' tcp-request inspect-delay 5s\n tcp-request content accept if { req.len ge 10 }\n tcp-request content reject\n');
    assert.equal(content(r, 'hello', false), 'wait');
    assert.equal(content(r, 'hello', true), 'reject');
    assert.equal(content(r, 'hello world', false), 'accept');
  });

  test('a miss survives `!` and `unless`', () => {
    assert.equal(content(rulesOf(' tcp-request content reject if !{ req.len ge 10 }\n'), 'hello', false), 'wait');
    assert.equal(content(rulesOf(' tcp-request content reject if !{ req.len ge 10 }\n'), 'hello', true), 'reject');
    // A pass is final at once, even from a fetch that may change: negated, it fails.
    assert.equal(content(rulesOf(' tcp-request content reject if !{ req.len ge 3 }\n'), 'hello', false), 'continue');
    assert.equal(content(rulesOf(' tcp-request content reject unless { req.len ge 3 }\n'), 'hi', false), 'wait');
    assert.equal(content(rulesOf(' tcp-request content reject unless { req.len ge 3 }\n'), 'hi', true), 'reject');
  });

  test('AND stops at its first term that does not pass, OR at its first that passes', () => {
    const miss = rulesOf(' tcp-request content reject if { req.len ge 10 } { src 10.0.0.1 }\n');
    assert.equal(content(miss, 'hello', false), 'wait'); // the miss comes first: src is not looked at
    const fail = rulesOf(' tcp-request content reject if { src 10.0.0.1 } { req.len ge 10 }\n');
    assert.equal(content(fail, 'hello', false), 'continue');
    const or = rulesOf(' tcp-request content reject if { req.len ge 10 } || { src 127.0.0.1 }\n');
    assert.equal(content(or, 'hello', false), 'reject');
    assert.equal(content(or, 'hello', false, '10.1.1.1'), 'wait');
  });

  test('rules before the waiting one run again on every evaluation (set-var), from the top', () => {
    const r = rulesOf(' tcp-request content set-var(txn.n) req.len\n tcp-request content accept if WAIT_END { var(txn.n) -m int ge 4 }\n tcp-request content reject\n');
    const t = txnOf(l4('ab', false));
    assert.equal(r.tcpRequestContent(t).kind, 'wait');
    t.l4!.req = Buffer.from('abcd');
    t.l4!.final = true;
    assert.equal(r.tcpRequestContent(t).kind, 'accept');
  });

  test('tcp-response content accept, reject and close', () => {
    const r = rulesOf(' tcp-response inspect-delay 1s\n tcp-response content close if { res.payload(0,3) -m str BYE }\n tcp-response content accept if { res.len ge 5 }\n tcp-response content reject\n');
    const res = (d: string, final: boolean): string => r.tcpResponseContent(txnOf(l4('', final, d))).kind;
    assert.equal(res('BYE now', false), 'close');
    assert.equal(res('HELLO', false), 'accept');
    assert.equal(res('HE', false), 'wait');
    assert.equal(res('HE', true), 'reject');
  });

  test('connection rules see the addresses (accept stops the list)', () => {
    const r = rulesOf(' tcp-request connection accept if { src 127.0.0.2 }\n tcp-request connection reject if { src 127.0.0.0/8 }\n');
    assert.equal(r.tcpRequestConnection(txnOf(undefined, '127.0.0.2')).kind, 'accept');
    assert.equal(r.tcpRequestConnection(txnOf(undefined, '127.0.0.3')).kind, 'reject');
    assert.equal(r.tcpRequestConnection(txnOf(undefined, '10.0.0.1')).kind, 'continue');
  });
});

describe('layer-6 fetches', () => {
  test('req.len may always change; payload decides once its bytes are there', () => {
    assert.deepEqual(fetch('req.len', l4('abc', false)), { v: '3', miss: true });
    assert.deepEqual(fetch('req.len', l4('abc', true)), { v: '3', miss: false });
    assert.deepEqual(fetch('req.payload(1,2)', l4('abc', false)), { v: 'bc', miss: false });
    assert.deepEqual(fetch('req.payload(1,3)', l4('abc', false)), { v: '<none>', miss: true });
    assert.deepEqual(fetch('req.payload(1,3)', l4('abc', true)), { v: '<none>', miss: false });
    // Length 0: to the end of what is there, which may still grow.
    assert.deepEqual(fetch('req.payload(1,0)', l4('abc', false)), { v: 'bc', miss: true });
    // Beyond a buffer: can never match, no waiting.
    assert.deepEqual(fetch('req.payload(0,20000)', l4('abc', false)), { v: '<none>', miss: false });
    assert.deepEqual(fetch('res.payload(0,2)', l4('', true, 'xyz'), 'res'), { v: 'xy', miss: false });
    assert.deepEqual(fetch('payload(0,2)', l4('', true, 'xyz'), 'res'), { v: 'xy', miss: false });
  });

  test('payload_lv reads a length field, then that many bytes', () => {
    const d = Buffer.from('\x00\x03abcdef', 'latin1');
    assert.equal(fetch('req.payload_lv(0,2)', l4(d, false)).v, 'abc');
    assert.equal(fetch('req.payload_lv(0,2,+1)', l4(d, false)).v, 'bcd');
    assert.equal(fetch('req.payload_lv(0,2,5)', l4(d, false)).v, 'def');
    assert.deepEqual(fetch('req.payload_lv(0,2)', l4(d.subarray(0, 3), false)), { v: '<none>', miss: true });
  });

  test('TLS ClientHello: SNI, hello type, version, ALPN, extensions', async () => {
    const hello = await clientHello('foo.example', ['h2', 'http/1.1']);
    assert.equal(fetch('req.ssl_sni', l4(hello, false)).v, 'foo.example');
    assert.equal(fetch('req_ssl_sni', l4(hello, false)).v, 'foo.example');
    assert.equal(fetch('req.ssl_hello_type', l4(hello, false)).v, '1');
    assert.equal(fetch('req.ssl_ver', l4(hello, false)).v, String((3 << 16) | 3));
    assert.equal(fetch('req.ssl_alpn', l4(hello, false)).v, 'h2');
    assert.equal(fetch('req.ssl_ec_ext', l4(hello, false)).v, '1');
    // Part of the record: undecided while not final, a plain failure once final.
    assert.deepEqual(fetch('req.ssl_sni', l4(hello.subarray(0, 60), false)), { v: '<none>', miss: true });
    assert.deepEqual(fetch('req.ssl_sni', l4(hello.subarray(0, 60), true)), { v: '<none>', miss: false });
    // Not TLS at all: fails at once.
    assert.deepEqual(fetch('req.ssl_sni', l4('GET / HTTP/1.0\r\n', false)), { v: '<none>', miss: false });
    assert.deepEqual(fetch('req.ssl_hello_type', l4('', false)), { v: '<none>', miss: true });
    // ACLs: every ALPN name is tried; req_ssl_ver takes dotted versions.
    const r = rulesOf(' tcp-request content accept if { req.ssl_alpn http/1.1 } { req_ssl_ver 3.1:3.3 }\n tcp-request content reject\n');
    assert.equal(content(r, hello, false), 'accept');
  });

  test('RDP cookie: by name or any, and its count', () => {
    const d = rdpRequest('alice');
    assert.equal(fetch('req.rdp_cookie(mstshash)', l4(d, false)).v, 'alice');
    assert.equal(fetch('rdp_cookie', l4(d, false)).v, 'alice');
    assert.equal(fetch('req.rdp_cookie(MSTSHASH)', l4(d, false)).v, 'alice');
    assert.equal(fetch('req.rdp_cookie(other)', l4(d, false)).v, '<none>');
    assert.equal(fetch('req.rdp_cookie_cnt(other)', l4(d, false)).v, '0');
    assert.equal(fetch('req.rdp_cookie_cnt', l4(d, false)).v, '1');
    assert.deepEqual(fetch('req.rdp_cookie_cnt', l4(d.subarray(0, 25), false)), { v: '<none>', miss: true });
  });

  test('WAIT_END is true only once the rules are final', () => {
    assert.deepEqual(fetch('wait_end', l4('', false)), { v: '<none>', miss: true });
    assert.equal(fetch('wait_end', l4('', true)).v, '1');
  });

  test('HTTP mode: the payload is not there (HAProxy: meaningless on HTX), req.len refused', () => {
    assert.equal(fetch('req.payload(0,1)', undefined).v, '<none>');
    assert.equal(fetch('req.rdp_cookie_cnt', undefined).v, '0');
    const text = `${BASE}listen l\n mode http\n bind 127.0.0.1:1\n http-request deny if { req.len gt 0 }\n server s 127.0.0.1:1\n`;
    const { model } = checkConfig([{ name: 't.cfg', text }], process.env);
    assert.throws(() => compileProxyRules(model.proxies[0]!, { baseDir: dir, config: model }), (e) => e instanceof RuleCompileError && /req\.len/.test(e.message));
  });
});

describe('configuration', () => {
  const alerts = (text: string): string[] =>
    checkConfig([{ name: 't.cfg', text }], process.env)
      .diag.items.filter((d) => d.severity === 'alert')
      .map((d) => d.message);

  test('TCP mode: rules, switching, use-server and rdp-cookie are accepted', () => {
    assert.deepEqual(
      alerts(
        `${BASE}frontend f\n bind 127.0.0.1:1\n tcp-request connection reject if { src 10.0.0.0/8 }\n tcp-request session accept\n tcp-request inspect-delay 2s\n` +
          ` tcp-request content accept if { req.ssl_hello_type 1 }\n use_backend b if { req.ssl_sni -i a.example }\n default_backend c\n` +
          `backend b\n balance rdp-cookie\n tcp-response inspect-delay 1s\n tcp-response content close if { res.len gt 0 }\n use-server s if { req.len gt 3 }\n server s 127.0.0.1:1\n` +
          `backend c\n server s 127.0.0.1:1\n`,
      ),
      [],
    );
  });

  test('a defaults section with rules: frontends or backends may inherit it, not both, nor a listen or a defaults (haproxy 2.6.12\'s messages; parsing stops there)', () => {
    const d1 = 'defaults d1\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n http-request set-header X-A 1\n';
    const cases: [string, string][] = [
      [`${d1}backend b from d1\n server s 127.0.0.1:2\nfrontend f from d1\n bind 127.0.0.1:1\n default_backend b\n bogus_kw 1\n`, 'parsing [t.cfg:9]: frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at t.cfg:1).'],
      [`${d1}listen l from d1\n bind 127.0.0.1:1\n server s 127.0.0.1:2\n`, 'parsing [t.cfg:7]: a listen section cannot inherit from a defaults section defining TCP/HTTP rules.'],
      [`${d1}defaults d2 from d1\n mode http\n`, 'parsing [t.cfg:7]: a defaults section cannot inherit from a defaults section defining TCP/HTTP rules (defaults section at t.cfg:1).'],
    ];
    for (const [cfg, message] of cases) {
      const r = checkConfigText(cfg);
      assert.equal(r.code, 1);
      assert.deepEqual(r.err.split('\n').filter((l) => l.startsWith('[ALERT]')), [`[ALERT]    (PID) : config : ${message}`, '[ALERT]    (PID) : config : Error(s) found in configuration file : t.cfg']);
    }
    // Frontends alone (implicitly too, as the last defaults section) are fine.
    const d0 = 'defaults d0\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';
    const ok = checkConfigText(`${d0}backend b from d0\n server s 127.0.0.1:2\n${d1}frontend f from d1\n bind 127.0.0.1:1\n default_backend b\nfrontend g\n bind 127.0.0.1:3\n default_backend b\n`);
    assert.equal(ok.code, 0, ok.err);
  });

  test('HTTP mode: connection/session accept and reject, content rules; response content rules refused', () => {
    const http = `${BASE}listen l\n mode http\n bind 127.0.0.1:1\n server s 127.0.0.1:1\n`;
    assert.deepEqual(alerts(`${http} tcp-request connection reject if { src 10.0.0.0/8 }\n tcp-request session accept\n`), []);
    assert.deepEqual(alerts(`${http} tcp-request inspect-delay 1s\n tcp-request content reject if { path /x }\n tcp-request content set-var(txn.a) src\n`), []);
    assert.match(alerts(`${http} tcp-response content close if { res.len gt 0 }\n`).join('\n'), /'tcp-response content' in an HTTP-mode proxy is not implemented yet/);
    assert.match(alerts(`${http} tcp-request connection set-var(sess.a) src\n`).join('\n'), /'tcp-request connection set-var' in an HTTP-mode proxy is not implemented yet/);
  });
});

// ---------------------------------------------------------------------------------------------
// The inspection loop on a real socket

test('inspection re-evaluates on each arrival and on the client FIN, then leaves the socket paused', async () => {
  const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const client = net.connect({ port: (srv.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  const [sock] = (await once(srv, 'connection')) as [net.Socket];
  const held = new HeldInput(sock, 15360);
  const seen: string[] = [];
  let next: (() => void) | undefined;
  const evaluated = (): Promise<void> => new Promise((r) => (next = r));
  let wait = evaluated();
  const content = l4('', false);
  const done = inspect(held, 60_000, content, 'req', () => {
    seen.push(`${content.req.toString()}${content.final ? '!' : ''}`);
    next?.();
    return content.final ? { kind: 'accept' } : { kind: 'wait' };
  });
  await wait;
  wait = evaluated();
  client.write('ab');
  await wait;
  wait = evaluated();
  client.end('cd');
  // The data and the FIN may come as one read or two: each is an evaluation.
  assert.deepEqual(await done, { kind: 'accept' });
  assert.equal(seen[0], '');
  assert.equal(seen[1], 'ab');
  assert.equal(seen[seen.length - 1], 'abcd!');
  assert.equal(held.ended, true);
  assert.equal(held.take().toString(), 'abcd');
  sock.destroy();
  srv.close();
});

// ---------------------------------------------------------------------------------------------
// End to end

const CROSSCHECK = process.env['SY_CROSSCHECK'] === '1' && existsSync('/usr/sbin/haproxy');
const MODES: AcceptMode[] = loadAddon() ? ['worker', 'main'] : ['worker'];
type Target = AcceptMode | 'haproxy';
const TARGETS: Target[] = CROSSCHECK ? [...MODES, 'haproxy'] : MODES;

const planes: DataPlane[] = [];
const children: ChildProcess[] = [];
const servers: net.Server[] = [];
after(async () => {
  for (const p of planes) await p.stop();
  for (const c of children) c.kill();
  for (const s of servers) s.close();
});

/** A server answering `NAME:` and what it got, once the client has sent its FIN. */
async function nameServer(name: string): Promise<number> {
  const srv = net.createServer({ allowHalfOpen: true }, (c) => {
    const got: Buffer[] = [];
    c.on('error', () => undefined);
    c.on('data', (d: Buffer) => got.push(d));
    c.on('end', () => c.end(Buffer.concat([Buffer.from(`${name}:`), ...got])));
  });
  servers.push(srv);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return (srv.address() as net.AddressInfo).port;
}

/** A server that speaks first (`greeting`), then echoes each chunk after `NAME:`. */
async function greetServer(greeting: string): Promise<number> {
  const srv = net.createServer({ allowHalfOpen: true }, (c) => {
    c.on('error', () => undefined);
    c.write(greeting);
    c.on('data', (d: Buffer) => c.write(Buffer.concat([Buffer.from('G:'), d])));
    c.on('end', () => c.end());
  });
  servers.push(srv);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return (srv.address() as net.AddressInfo).port;
}

interface Plane {
  readonly port: number;
  /** A frontend counter (Switchyard only; undefined with haproxy). */
  counter(field: number): number | undefined;
}

async function start(target: Target, body: (port: number) => string): Promise<Plane> {
  const port = await freePort();
  const text = `global\n nbthread 1\n${BASE}${body(port)}`;
  if (target === 'haproxy') {
    const file = join(dir, `h-${port}.cfg`);
    writeFileSync(file, text);
    const child = spawn('/usr/sbin/haproxy', ['-db', '-f', file], { stdio: 'ignore' });
    children.push(child);
    (await connectWhenUp(port)).destroy();
    return { port, counter: () => undefined };
  }
  const dp = new DataPlane(checkedModel(text), { mode: target });
  planes.push(dp);
  await dp.start();
  return { port, counter: (field) => dp.gauges.counter(0, field) };
}

interface Outcome {
  /** What the client received. */
  readonly data: string;
  /** The connection was reset rather than closed. */
  readonly reset: boolean;
}

/**
 * A client: writes `chunks` (then its FIN when `end`), ends its side once the proxy ends its
 * own, and reports what it got. `endOnData`: send the FIN once some reply arrived.
 */
function talk(port: number, chunks: readonly (string | Buffer)[], o: { end?: boolean; endOnData?: boolean; localAddress?: string } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    let data = '';
    let reset = false;
    c.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (o.endOnData) c.end();
    });
    c.on('end', () => c.end());
    c.on('error', (e: NodeJS.ErrnoException) => (reset ||= e.code === 'ECONNRESET'));
    c.on('close', () => resolve({ data, reset }));
    c.on('connect', () => {
      for (const ch of chunks) c.write(typeof ch === 'string' ? Buffer.from(ch, 'latin1') : ch);
      if (o.end) c.end();
    });
  });
}

const ends = (data: string): Outcome => ({ data, reset: false });

for (const target of TARGETS) describe(`TCP rules end to end (${target === 'haproxy' ? 'haproxy 2.6.12' : `accept mode: ${target}`})`, () => {
  test('tcp-request connection: a rejected source is reset and counted; session reject closes', async () => {
    const a = await nameServer('A');
    const px = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-request connection reject if { src 127.0.0.2 }\n tcp-request session reject if { src 127.0.0.3 }\n server a 127.0.0.1:${a}\n`);
    assert.deepEqual(await talk(px.port, ['hi'], { end: true }), ends('A:hi'));
    assert.deepEqual(await talk(px.port, ['hi'], { end: true, localAddress: '127.0.0.2' }), { data: '', reset: true });
    assert.deepEqual(await talk(px.port, ['hi'], { end: true, localAddress: '127.0.0.3' }), ends(''));
    assert.equal(px.counter(FC.DENIED_CONN) ?? 1, 1);
  });

  test('HTTP mode: the connection rules run before the HTTP session', async () => {
    const px = await start(target, (p) => `listen l\n mode http\n bind 127.0.0.1:${p}\n tcp-request connection reject if { src 127.0.0.2 }\n http-request return status 200 content-type text/plain string ok\n server s 127.0.0.1:1\n`);
    const get = 'GET / HTTP/1.0\r\n\r\n';
    assert.match((await talk(px.port, [get])).data, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    assert.deepEqual(await talk(px.port, [get], { localAddress: '127.0.0.2' }), { data: '', reset: true });
  });

  test('HTTP mode: tcp-request content runs for each request, the frontend\'s then the backend\'s; a reject closes without an answer', async () => {
    const px = await start(
      target,
      (p) =>
        `frontend f\n mode http\n bind 127.0.0.1:${p}\n tcp-request content reject if { path /bad }\n default_backend b\n` +
        `backend b\n mode http\n tcp-request content reject if { path /badbe }\n http-request return status 200 content-type text/plain string ok\n`,
    );
    const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    // Pipelined on one connection: the first is answered, the second rejected, the third never read.
    const three = await talk(px.port, [get('/ok') + get('/bad') + get('/ok2')]);
    assert.equal(three.data.match(/^HTTP\/1\.1 200/gm)?.length, 1, three.data);
    assert.match(three.data, /\r\n\r\nok$/);
    assert.deepEqual(await talk(px.port, [get('/badbe')]), ends(''));
    assert.match((await talk(px.port, [get('/ok3')], { endOnData: true })).data, /^HTTP\/1\.1 200 OK\r\n/);
  });

  test('SNI switching after inspect-delay: the ClientHello picks the backend, also split in two', async () => {
    const [a, b] = [await nameServer('A'), await nameServer('B')];
    const px = await start(target, (p) =>
      `frontend f\n bind 127.0.0.1:${p}\n tcp-request inspect-delay 5s\n tcp-request content accept if { req.ssl_hello_type 1 }\n` +
        ` use_backend bfoo if { req.ssl_sni -i foo.example }\n default_backend bdef\nbackend bfoo\n server a 127.0.0.1:${a}\nbackend bdef\n server b 127.0.0.1:${b}\n`,
    );
    const foo = await clientHello('foo.example');
    const bar = await clientHello('bar.example');
    const who = async (chunks: Buffer[] | string[]): Promise<string> => (await talk(px.port, chunks, { end: true })).data.split(':')[0]!;
    assert.equal(await who([foo]), 'A');
    assert.equal(await who([foo.subarray(0, 50), foo.subarray(50)]), 'A');
    assert.equal(await who([bar]), 'B');
    // Not TLS: the hello-type rule fails at once (no waiting), and so does the SNI.
    assert.equal(await who(['GET / HTTP/1.0\r\n']), 'B');
    // The whole ClientHello goes to the server, untouched.
    assert.equal((await talk(px.port, [foo], { end: true })).data, `A:${foo.toString('latin1')}`);
  });

  test('HTTP fetches read the held bytes as an HTTP request head (HAProxy\'s raw mode)', async () => {
    const [a, b, c] = [await nameServer('A'), await nameServer('B'), await nameServer('C')];
    const px = await start(target, (p) =>
      `frontend f\n bind 127.0.0.1:${p}\n tcp-request inspect-delay 5s\n tcp-request content reject if { path_beg /admin }\n tcp-request content accept if HTTP\n` +
        ` use_backend a if { path_beg /api }\n use_backend c if { hdr(host) -i foo.example }\n default_backend b\n` +
        `backend a\n server a 127.0.0.1:${a}\nbackend b\n server b 127.0.0.1:${b}\nbackend c\n server c 127.0.0.1:${c}\n`,
    );
    const who = async (chunks: string[]): Promise<string> => (await talk(px.port, chunks, { end: true })).data.split(':')[0]!;
    assert.equal(await who(['GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n']), 'A');
    assert.equal(await who(['GET /api/x HT', 'TP/1.1\r\nHost: a\r\n\r\n']), 'A');
    assert.equal(await who(['GET / HTTP/1.1\r\nHost: FOO.example\r\n\r\n']), 'C');
    assert.equal(await who(['GET /admin HTTP/1.0\r\n\r\n']), '');
    // Not HTTP, a malformed head, or a head cut short by the client's FIN: no HTTP fields.
    assert.equal(await who(['hello there\r\n\r\n']), 'B');
    assert.equal(await who(['GET /api/x HTTP/1.1\r\nHo st: a\r\n\r\n']), 'B');
    assert.equal(await who(['GET /api/x HTTP/1.1\r\n']), 'B');
  });

  test('inspect-delay runs out: the rules decide with what is there', async () => {
    const a = await nameServer('A');
    const px = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-request inspect-delay 300ms\n tcp-request content accept if { req.len ge 10 }\n tcp-request content reject\n server a 127.0.0.1:${a}\n`);
    assert.deepEqual(await talk(px.port, ['hello world'], { end: true }), ends('A:hello world'));
    // Never 10 bytes: rejected when the delay is over (the client keeps its side open).
    assert.deepEqual(await talk(px.port, ['hel']), ends(''));
    // The client's FIN makes the rules final at once.
    assert.deepEqual(await talk(px.port, ['hi'], { end: true }), ends(''));
    assert.equal(px.counter(FC.DENIED_REQ) ?? 2, 2);
  });

  test('inspect-delay runs out with no rule deciding: the connection goes on', async () => {
    const g = await greetServer('');
    const px = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-request inspect-delay 300ms\n tcp-request content accept if { req.len ge 10 }\n server g 127.0.0.1:${g}\n`);
    assert.deepEqual(await talk(px.port, ['hel'], { endOnData: true }), ends('G:hel'));
  });

  test('WAIT_END waits for the whole delay (or the FIN)', async () => {
    const a = await nameServer('A');
    const px = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-request inspect-delay 300ms\n tcp-request content reject if WAIT_END { req.len lt 3 }\n server a 127.0.0.1:${a}\n`);
    assert.deepEqual(await talk(px.port, ['hello'], { end: true }), ends('A:hello'));
    assert.deepEqual(await talk(px.port, ['hi'], { end: true }), ends(''));
    assert.deepEqual(await talk(px.port, []), ends(''));
  });

  test("backend rules run after switching with the backend's delay; use-server forces a server", async () => {
    const [a, c] = [await nameServer('A'), await nameServer('C')];
    const px = await start(target, (p) =>
      `frontend f\n bind 127.0.0.1:${p}\n tcp-request inspect-delay 5s\n tcp-request content accept if { req.len ge 2 }\n default_backend b\n` +
        `backend b\n tcp-request inspect-delay 5s\n tcp-request content reject if { req.payload(0,1) -m bin 58 }\n tcp-request content accept if { req.len ge 4 }\n` +
        ` use-server c if { req.payload(0,1) -m bin 43 }\n balance first\n server a 127.0.0.1:${a}\n server c 127.0.0.1:${c}\n`,
    );
    assert.deepEqual(await talk(px.port, ['Xy'], { end: true }), ends(''));
    assert.deepEqual(await talk(px.port, ['ab', 'cd'], { end: true }), ends('A:abcd'));
    assert.deepEqual(await talk(px.port, ['Cdef'], { end: true }), ends('C:Cdef'));
  });

  test('balance rdp-cookie: the same server as haproxy for each cookie', async () => {
    const [b, c, d] = [await nameServer('B'), await nameServer('C'), await nameServer('D')];
    const px = await start(target, (p) =>
      `frontend f\n bind 127.0.0.1:${p}\n tcp-request inspect-delay 5s\n tcp-request content accept if RDP_COOKIE\n use_backend brdp if { req.rdp_cookie_cnt gt 0 }\n default_backend bdef\n` +
        `backend bdef\n server b 127.0.0.1:${b}\nbackend brdp\n balance rdp-cookie\n server c 127.0.0.1:${c}\n server d 127.0.0.1:${d}\n`,
    );
    // Recorded from haproxy 2.6.12 (map-based sdbm, two servers of weight 1).
    const expected: Record<string, string> = { alice: 'C', bob: 'D', carol: 'D', dave: 'C', eve: 'C' };
    for (const [user, server] of Object.entries(expected)) {
      assert.equal((await talk(px.port, [rdpRequest(user)], { end: true })).data[0], server, user);
    }
    assert.equal((await talk(px.port, ['no cookie here'], { end: true })).data[0], 'B');
  });

  test('tcp-response content: close forwards what came, reject drops it', async () => {
    const g = await greetServer('HELLO');
    const close = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-response inspect-delay 5s\n tcp-response content close if { res.len gt 0 }\n server g 127.0.0.1:${g}\n`);
    assert.deepEqual(await talk(close.port, []), ends('HELLO'));
    const reject = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-response inspect-delay 5s\n tcp-response content reject if { res.payload(0,5) -m str HELLO }\n server g 127.0.0.1:${g}\n`);
    assert.deepEqual(await talk(reject.port, []), ends(''));
    assert.equal(reject.counter(FC.DENIED_RESP) ?? 1, 1);
    const accept = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-response inspect-delay 5s\n tcp-response content accept if { res.len ge 5 }\n tcp-response content reject\n server g 127.0.0.1:${g}\n`);
    assert.deepEqual(await talk(accept.port, ['x'], { endOnData: true }), ends('HELLOG:x'));
    // No delay: the rules run when the server connection is up, before any byte.
    const early = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-response content reject if { res.len gt 0 }\n server g 127.0.0.1:${g}\n`);
    assert.deepEqual(await talk(early.port, [], { endOnData: true }), ends('HELLO'));
  });

  test("the frontend's bytes in and out are counted", async () => {
    const a = await nameServer('A');
    const px = await start(target, (p) => `listen l\n bind 127.0.0.1:${p}\n tcp-request inspect-delay 5s\n tcp-request content accept if { req.len ge 5 }\n server a 127.0.0.1:${a}\n`);
    assert.deepEqual(await talk(px.port, ['hello'], { end: true }), ends('A:hello'));
    // The counters are added when the client's socket closes, just after the client saw it.
    while (target !== 'haproxy' && px.counter(FC.BYTES_OUT) === 0) await new Promise((r) => setImmediate(r));
    if (target !== 'haproxy') assert.deepEqual([px.counter(FC.BYTES_IN), px.counter(FC.BYTES_OUT)], [5, 7]);
  });
});
