// String-keyed balancing (balance uri, url_param, hdr, hash): the key taken from the request
// and the server chosen for it, against haproxy 2.6.12's choices recorded in
// test/fixtures/balance-keys.json (test/tools/record-balance-keys.ts): every balance form,
// map-based and consistent hash-types, weights, ids, disabled and backup servers, and the
// round-robin fallback sequences of requests without a key. Then the configuration words
// and messages, and the whole path end to end through Switchyard on loopback.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Balancer } from '../src/lb/types.js';
import { parseBalance } from '../src/lb/algorithms.js';
import { domainKey, pathOfTarget, uriKey, urlParamKey } from '../src/lb/keys.js';
import { parseConfig } from '../src/config/parser.js';
import { postCheck } from '../src/config/postcheck.js';
import { installFeatures } from '../src/features.js';
import { condEnv } from '../src/cli/main.js';
import { computeLayout } from '../src/dataplane/layout.js';
import { compileRuntime, type RuntimeBackend, type RuntimeFrontend } from '../src/dataplane/compile.js';
import { balanceInput } from '../src/http/balance-key.js';
import { parseRequestHead } from '../src/http/codec/request-head.js';
import { limitsFromTune } from '../src/http/codec/limits.js';
import { HttpTxn } from '../src/http/txn.js';
import type { BackendState } from '../src/rules/runtime/txn.js';
import { DataPlane } from '../src/dataplane/runtime.js';
import { loadAddon } from '../src/native/addon.js';
import { requestBytes, type KeyFixture } from './tools/record-balance-keys.js';
import { checkedModel } from './helpers/model.js';
import { backendBalancer } from './helpers/balancer.js';
import { freePort } from './helpers/net.js';

const registries = installFeatures();

function check(text: string): { alerts: string[]; warnings: string[]; model: ReturnType<typeof parseConfig>['model'] } {
  const { model, diag } = parseConfig([{ name: 't.cfg', text }], {
    env: { getenv: (n) => process.env[n], cwd: process.cwd() },
    cond: condEnv(process.env, registries),
    registries,
  });
  postCheck(model, diag, registries);
  const of = (sev: string): string[] => diag.items.filter((d) => d.severity === sev).map((d) => d.message);
  return { alerts: of('alert'), warnings: of('warning'), model };
}

const DEFAULTS = 'defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';

/** A backend's balancer (configured state), picking server names. */
function balancerFor(be: RuntimeBackend): { pick(input: Parameters<Balancer['select']>[0], avoid?: number): string | undefined; slotOf(name: string): number } {
  const b = backendBalancer(be).balancer;
  return {
    pick(input, avoid) {
      const slot = b.select(input, avoid);
      return be.servers.find((s) => s.slot === slot)?.name;
    },
    slotOf: (name) => be.servers.find((s) => s.name === name)!.slot,
  };
}

// A client connection as the HTTP session sees it (only addresses are read from it).
const SOCK = { remoteAddress: '127.0.0.1', remotePort: 40000, localAddress: '127.0.0.1', localPort: 8080 } as net.Socket;
const FRONTEND = { name: 'fe', id: 2 } as RuntimeFrontend;
const STATE: BackendState = { usableServers: () => 0, serverIsUp: () => true, backendConns: () => 0, backendQueue: () => 0, connSlots: () => 0 };
const LIMITS = limitsFromTune();

/** The balancer input of a raw request for `be`, as the HTTP session builds it. */
function inputOf(be: RuntimeBackend, raw: string): ReturnType<typeof balanceInput> | null {
  const r = parseRequestHead(Buffer.from(raw, 'latin1'), LIMITS);
  if (r.state !== 'done') return null;
  const txn = new HttpTxn(SOCK, FRONTEND, r.head, STATE);
  txn.backend = { name: be.name, id: be.id };
  return balanceInput(be, r.head, SOCK, txn);
}

// ---------------------------------------------------------------------------------------------

describe('keys taken from the request (HAProxy 2.6 backend.c)', () => {
  const uri = (u: string, o: Partial<Parameters<typeof uriKey>[1]> = {}): string => uriKey(u, { whole: false, pathOnly: false, len: 0, depth: 0, ...o });

  test('uri: stops at the query unless whole; len before depth; depth counts every slash', () => {
    assert.equal(uri('/a/b?x=1'), '/a/b');
    assert.equal(uri('/a/b?x=1', { whole: true }), '/a/b?x=1');
    assert.equal(uri('/abcdef', { len: 3 }), '/ab');
    assert.equal(uri('/a/b/c', { depth: 2 }), '/a/b');
    assert.equal(uri('/a/b/c', { depth: 2, len: 3 }), '/a/');
    // The scheme's slashes count too, unless path-only.
    assert.equal(uri('http://h/a/b', { depth: 2 }), 'http://h');
    assert.equal(uri('http://h/a/b', { depth: 2, pathOnly: true }), '/a/b');
  });

  test('path-only: http_parse_path (no path for *, for a bare authority, or nothing after it)', () => {
    assert.equal(pathOfTarget('/p?q'), '/p?q');
    assert.equal(pathOfTarget('http://h:81/p?q'), '/p?q');
    assert.equal(pathOfTarget('http://h'), '');
    assert.equal(pathOfTarget('*'), '');
    assert.equal(pathOfTarget('h:81'), '');
    assert.equal(pathOfTarget('h/x'), '/x');
  });

  test('url_param: first NAME= of the query, raw; without = no match; empty value is a key', () => {
    assert.equal(urlParamKey('/p?xid=5&id=9', 'id'), '9');
    assert.equal(urlParamKey('/p?id=1&id=2', 'id'), '1');
    assert.equal(urlParamKey('/p?id=', 'id'), '');
    assert.equal(urlParamKey('/p?id', 'id'), undefined);
    assert.equal(urlParamKey('/p?i=1&id=x=y', 'id'), 'x=y');
    assert.equal(urlParamKey('/p?id=5#frag', 'id'), '5#frag');
    assert.equal(urlParamKey('/p#x?id=6', 'id'), '6');
    assert.equal(urlParamKey('/p?ID=1', 'id'), undefined);
  });

  test('use_domain_only: the label before the last dot', () => {
    assert.equal(domainKey('www.example.com'), 'example');
    assert.equal(domainKey('example.com:8080'), 'example');
    assert.equal(domainKey('a.b.c.d'), 'c');
    assert.equal(domainKey('example.com.'), 'com');
    assert.equal(domainKey('localhost'), 'localhost');
    assert.equal(domainKey('.com'), '.com');
    assert.equal(domainKey('x.com'), 'x');
  });
});

// ---------------------------------------------------------------------------------------------

describe('the server haproxy 2.6.12 picks (recorded)', () => {
  const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/balance-keys.json', import.meta.url), 'utf8')) as KeyFixture;
  const text =
    DEFAULTS +
    fixture.backends
      .map((b, i) => `backend ${b.name}\n${b.lines.map((l) => ` ${l}\n`).join('')}${b.servers.map((s) => { const [n, ...r] = s.split(' '); return ` server ${[n, `127.0.0.1:${10000 + i}`, ...r].join(' ')}\n`; }).join('')}`)
      .join('');
  const total = fixture.backends.reduce((a, b) => a + b.picks.filter((p) => p !== null).length, 0);

  test(`${total} requests over ${fixture.backends.length} backends (${fixture.haproxy}): same server, same round-robin sequence`, () => {
    const { alerts, model } = check(text);
    assert.deepEqual(alerts, []);
    const runtime = compileRuntime(model, computeLayout(model));
    const mismatches: string[] = [];
    let compared = 0;
    for (const rec of fixture.backends) {
      const be = runtime.backends.get(rec.name)!;
      const lb = balancerFor(be);
      fixture.requestSets[rec.set]!.forEach((r, i) => {
        const want = rec.picks[i];
        if (want === null) return; // HAProxy answered this request itself
        const input = inputOf(be, requestBytes(r, rec.name));
        const got = input ? lb.pick(input) : 'refused by our codec';
        compared++;
        if (got !== want) mismatches.push(`${rec.name} [${rec.lines.join('; ')}] ${r.method} ${r.uri} ${JSON.stringify(r.headers)}: ours ${got}, haproxy ${want}`);
      });
    }
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} of ${compared} differ`);
    assert.equal(compared, total);
  });
});

// ---------------------------------------------------------------------------------------------

describe('redispatch and state changes', () => {
  const backend = (lines: string): RuntimeBackend => {
    const { alerts, model } = check(`${DEFAULTS}backend b\n${lines}\n server s1 127.0.0.1:1\n server s2 127.0.0.1:2\n server s3 127.0.0.1:3\n`);
    assert.deepEqual(alerts, []);
    return compileRuntime(model, computeLayout(model)).backends.get('b')!;
  };
  const key = (s: string): { key: Uint8Array } => ({ key: Buffer.from(s) });

  test('consistent: the avoided server is skipped; map-based: HAProxy retries the hashed server', () => {
    const ch = balancerFor(backend(' balance uri\n hash-type consistent'));
    const first = ch.pick(key('/x'))!;
    const other = ch.pick(key('/x'), ch.slotOf(first));
    assert.ok(other && other !== first);
    const map = balancerFor(backend(' balance uri'));
    const m = map.pick(key('/x'))!;
    assert.equal(map.pick(key('/x'), map.slotOf(m)), m);
  });

  test('no key: the map walked in order, keyed requests do not move the walk', () => {
    const lb = balancerFor(backend(' balance hdr(x-key)'));
    const seq = [lb.pick({}), lb.pick(key('k')), lb.pick({}), lb.pick({}), lb.pick({})];
    assert.deepEqual([seq[0], seq[2], seq[3], seq[4]], ['s1', 's2', 's3', 's1']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('configuration: words and messages as haproxy 2.6.12', () => {
  test('balance arguments', () => {
    const err = (words: string): string | undefined => {
      const r = parseBalance(words.split(' '));
      return 'error' in r ? r.error : undefined;
    };
    const ONLY = "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.";
    const cases: [string, string | undefined][] = [
      ['uri foo', "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'foo')."],
      ['uri len 0', "balance uri : 'len' expects a positive integer (got '0')."],
      ['uri len 0x10', "balance uri : 'len' expects a positive integer (got '0x10')."],
      ['uri depth -1', "balance uri : 'depth' expects a positive integer (got '-1')."],
      ['uri len 5x', undefined],
      ['uri whole whole len 3 len 4', undefined],
      ['url_param x foo', "balance url_param only accepts 'check_post' modifier (got 'foo')."],
      ['url_param x check_post 5x extra', undefined],
      ['hdr', ONLY],
      ['hdr()', 'balance hdr requires an http header field name.'],
      ['hdr(x', 'balance hdr requires an http header field name.'],
      ['hdr(x)y', undefined],
      ['hdr(x) foo', "balance hdr(x) only accepts 'use_domain_only' modifier (got 'foo')."],
      ['hdr(x) use_domain_only extra', undefined],
      ['hash a b', "balance hash takes no other argument (got 'b')."],
      ['uri(x)', ONLY],
      ['source x', undefined],
      ['rdp-cookie()', 'balance rdp-cookie : missing cookie name.'],
      ['rdp-cookiex', 'balance rdp-cookie : missing cookie name.'],
      ['random(3', 'balance random : missing closing parenthesis.'],
      ['random(3x)', "balance random : unexpected character 'x' after argument."],
      ['random(0)', 'balance random : number of draws must be at least 1.'],
      ['random(0x10)', undefined],
      ['randomx', undefined],
    ];
    for (const [words, want] of cases) assert.equal(err(words), want, words);
    assert.deepEqual(parseBalance(['hdr(X-Key)', 'use_domain_only']), { value: { algorithm: 'hdr', header: 'X-Key', domainOnly: true } });
    assert.deepEqual(parseBalance(['random(0x10)']), { value: { algorithm: 'random', draws: 16 } });
  });

  test('uri, url_param, hdr in a TCP proxy: HAProxy\'s warning, then round robin', () => {
    const r = check('defaults\n mode tcp\n timeout connect 1s\n timeout client 1s\n timeout server 1s\nlisten l\n bind 127.0.0.1:9\n balance uri\n server s 127.0.0.1:1\nbackend b\n balance hdr(host)\n server s 127.0.0.1:1\n');
    assert.deepEqual(r.alerts, []);
    assert.deepEqual(r.warnings, [
      "Layer 7 hash not possible for proxy 'l' (needs 'mode http'). Falling back to round robin.",
      "Layer 7 hash not possible for backend 'b' (needs 'mode http'). Falling back to round robin.",
    ]);
    assert.deepEqual(r.model.proxies.find((p) => p.name === 'b')!.settings['balance']!.value, { algorithm: 'roundrobin' });
  });

  test('balance hash: the expression is checked after parsing, with the proxy\'s line', () => {
    const alerts = (expr: string): string[] => check(`${DEFAULTS}backend b\n balance hash ${expr}\n server s 127.0.0.1:1\n`).alerts;
    assert.deepEqual(alerts('req.hdr(host),lower'), []);
    assert.deepEqual(alerts('src,nope'), ["backend 'b' [t.cfg:6]: failed to parse 'balance hash' expression 'src,nope' in : unknown converter 'nope'."]);
    assert.deepEqual(alerts('res.hdr(x)'), ["backend 'b' [t.cfg:6]: error detected while parsing 'balance hash' expression 'res.hdr(x)' which requires information from HTTP response headers, which is not available here."]);
    assert.match(alerts('src,map(/nonexistent/sy-map)')[0]!, /^backend 'b' \[t\.cfg:6\]: failed to parse 'balance hash' expression 'src,map\(\/nonexistent\/sy-map\)' in : .*\/nonexistent\/sy-map/);
  });

  test('refused rather than ignored: proc. variables, hash in TCP mode', () => {
    const alerts = (text: string): string[] => check(text).alerts;
    // check_post works now (test/http-extras.test.ts).
    assert.deepEqual(alerts(`${DEFAULTS}backend b\n balance url_param id check_post\n server s 127.0.0.1:1\n`), []);
    // rdp-cookie works now (test/tcp-rules.test.ts).
    assert.deepEqual(alerts(`${DEFAULTS}backend b\n balance rdp-cookie\n server s 127.0.0.1:1\n`), []);
    assert.match(alerts(`${DEFAULTS}backend b\n balance hash var(proc.x)\n server s 127.0.0.1:1\n`)[0]!, /'proc\.' variable is not implemented yet/);
    assert.match(alerts(`${DEFAULTS.replace('mode http', 'mode tcp')}backend b\n balance hash src\n server s 127.0.0.1:1\n`)[0]!, /'balance hash' in a TCP-mode proxy is not implemented yet/);
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: Switchyard in HTTP mode, three real origins on loopback.

const planes: DataPlane[] = [];
const origins: net.Server[] = [];
after(async () => {
  for (const p of planes) await p.stop();
  for (const o of origins) o.close();
});

/** An origin answering every request with its name. */
async function origin(name: string): Promise<number> {
  const srv = net.createServer((c) => {
    c.on('error', () => undefined);
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        c.write(`HTTP/1.1 200 OK\r\nContent-Length: ${name.length}\r\n\r\n${name}`);
      }
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  origins.push(srv);
  return (srv.address() as net.AddressInfo).port;
}

/** One request on its own connection; resolves with the body (the origin's name). */
function ask(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    let raw = '';
    c.on('connect', () => c.write(`${head}\r\nConnection: close\r\n\r\n`));
    c.on('data', (d) => (raw += d.toString('latin1')));
    c.on('end', () => resolve(raw.slice(raw.indexOf('\r\n\r\n') + 4)));
    c.on('error', reject);
  });
}

describe('end to end through Switchyard (HTTP mode)', () => {
  test('balance uri pins each URI to a server and spreads URIs; hdr(host) and url_param without a key go round robin', async () => {
    const ports = await Promise.all(['s1', 's2', 's3'].map(origin));
    const port = await freePort();
    const servers = ports.map((p, i) => ` server s${i + 1} 127.0.0.1:${p}\n`).join('');
    await (async () => {
      const dp = new DataPlane(
        checkedModel(
          `global\n nbthread 2\n${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n use_backend by_host if { path_beg /host }\n use_backend by_param if { path_beg /param }\n default_backend by_uri\n` +
            `backend by_uri\n balance uri\n${servers}backend by_host\n balance hdr(host)\n${servers}backend by_param\n balance url_param id\n hash-type consistent\n${servers}`,
        ),
        { mode: loadAddon() ? 'shared' : 'worker' },
      );
      planes.push(dp);
      await dp.start();
    })();

    // The same URI always reaches the same server; 30 URIs reach all three.
    const uris = Array.from({ length: 30 }, (_, i) => `/item/${i}`);
    const first = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (const u of uris) {
        const got = await ask(port, `GET ${u} HTTP/1.1\r\nHost: x`);
        if (round === 0) first.set(u, got);
        else assert.equal(got, first.get(u), u);
      }
    }
    assert.deepEqual([...new Set(first.values())].sort(), ['s1', 's2', 's3']);
    // The query string is not part of the key (no `whole`).
    assert.equal(await ask(port, 'GET /item/7?a=1 HTTP/1.1\r\nHost: x'), first.get('/item/7'));

    // hdr(host): HTTP/1.0 without Host has no key: round robin, 2 each over 6 requests.
    const noHost = await Promise.all(Array.from({ length: 6 }, () => ask(port, 'GET /host HTTP/1.0')));
    assert.deepEqual(count(noHost), { s1: 2, s2: 2, s3: 2 });
    // With a Host header the key pins the server.
    const h = await ask(port, 'GET /host HTTP/1.1\r\nHost: shop.example.com');
    for (let i = 0; i < 4; i++) assert.equal(await ask(port, 'GET /host/x HTTP/1.1\r\nHost: shop.example.com'), h);

    // url_param (consistent ring): without id=, the ring is walked; with it, pinned.
    const noParam = await Promise.all(Array.from({ length: 48 }, () => ask(port, 'GET /param?x=1 HTTP/1.1\r\nHost: x')));
    assert.deepEqual(count(noParam), { s1: 16, s2: 16, s3: 16 });
    const p = await ask(port, 'GET /param?id=42 HTTP/1.1\r\nHost: x');
    for (let i = 0; i < 4; i++) assert.equal(await ask(port, `GET /param?x=${i}&id=42 HTTP/1.1\r\nHost: x`), p);
  });
});

function count(names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of [...names].sort()) out[n] = (out[n] ?? 0) + 1;
  return out;
}
