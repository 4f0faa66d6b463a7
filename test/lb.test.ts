// Balancers, table-driven, over a real shared server table. Several balancer instances over
// the same shared memory stand for several worker threads.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ServerTable, SRV, ADMIN_MAINT } from '../src/ipc/server-table.js';
import { BALANCERS } from '../src/lb/index.js';
import { LB_SHARED, LB_SHARED_SLOTS, type Balancer, type LbContext, type LbServer } from '../src/lb/types.js';
import { addressHash } from '../src/lb/source.js';
import { effectiveWeights, haproxyMap } from '../src/lb/schedule.js';
import { addressKey, fullHash, hashKey, type HashFunction } from '../src/lb/hash.js';
import { ChashRing, pointKey } from '../src/lb/chash.js';
import { parseConfig } from '../src/config/parser.js';
import { postCheck } from '../src/config/postcheck.js';
import { installFeatures } from '../src/features.js';
import { condEnv } from '../src/cli/main.js';
import { computeLayout } from '../src/dataplane/layout.js';
import { compileRuntime } from '../src/dataplane/compile.js';
import http from 'node:http';
import { connectWhenUp, freePort } from './helpers/net.js';
import { backendBalancer } from './helpers/balancer.js';

interface Setup {
  table: ServerTable;
  servers: LbServer[];
  /** Tell balancers the servers' state changed, as health checks and the CLI do. */
  bump(): void;
  make(alg: string, spec?: Record<string, unknown>, allBackups?: boolean): Balancer;
}

function setup(weights: number[], opts: { backup?: number[]; maxconn?: number[] } = {}): Setup {
  const table = ServerTable.create(weights.length, 2);
  const servers = weights.map((w, i): LbServer => {
    table.set(i, SRV.UP, 1);
    table.set(i, SRV.WEIGHT, w);
    table.set(i, SRV.WEIGHT_INIT, w);
    table.set(i, SRV.MAXCONN, opts.maxconn?.[i] ?? 0);
    return { slot: i, name: `s${i + 1}`, id: i + 1, backup: opts.backup?.includes(i) ?? false };
  });
  const shared = new Int32Array(new SharedArrayBuffer(LB_SHARED_SLOTS * 4));
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  return {
    table,
    servers,
    bump: () => void Atomics.add(shared, LB_SHARED.VERSION, 1),
    make(alg, spec = {}, allBackups = false) {
      const ctx: LbContext = { table, servers, allBackups, shared, random };
      return BALANCERS.get(alg)!.factory(ctx, spec);
    },
  };
}

/** Loopback servers that answer their name and close (the readiness probes' connections
 * may be reset through haproxy: expected). */
function nameServers(names: readonly string[]): Promise<net.Server[]> {
  return Promise.all(
    names.map(async (n) => {
      const srv = net.createServer((c) => {
        c.on('error', () => undefined);
        c.end(n);
      });
      srv.listen(0, '127.0.0.1');
      await once(srv, 'listening');
      return srv;
    }),
  );
}

function tally(picks: number[], n: number): number[] {
  const c = new Array<number>(n).fill(0);
  for (const p of picks) c[p]!++;
  return c;
}

describe('roundrobin and static-rr', () => {
  test('9 connections over 3 equal servers are 3/3/3, across two workers', () => {
    const s = setup([1, 1, 1]);
    const w1 = s.make('roundrobin');
    const w2 = s.make('roundrobin');
    const picks = Array.from({ length: 9 }, (_, i) => (i % 2 ? w2 : w1).select({}));
    assert.deepEqual(tally(picks, 3), [3, 3, 3]);
  });

  test('static-rr weights 100/50 give 20/10 of 30', () => {
    const s = setup([100, 50]);
    const b = s.make('static-rr');
    assert.deepEqual(tally(Array.from({ length: 30 }, () => b.select({})), 2), [20, 10]);
  });

  test('a server in maintenance gets nothing; the others share evenly', () => {
    const s = setup([1, 1, 1]);
    s.table.set(1, SRV.ADMIN, ADMIN_MAINT);
    const b = s.make('roundrobin');
    assert.deepEqual(tally(Array.from({ length: 10 }, () => b.select({})), 3), [5, 0, 5]);
  });

  test('redispatch avoids the failed server', () => {
    const s = setup([1, 1]);
    const b = s.make('roundrobin');
    for (let i = 0; i < 6; i++) assert.equal(b.select({}, 0), 1);
  });
});

describe('backup servers', () => {
  test('backup takes over only when every primary is down; only the first backup without allbackups', () => {
    const s = setup([1, 1, 1, 1], { backup: [2, 3] });
    const b = s.make('roundrobin');
    assert.deepEqual(new Set(Array.from({ length: 6 }, () => b.select({}))), new Set([0, 1]));
    s.table.set(0, SRV.UP, 0);
    s.table.set(1, SRV.UP, 0);
    s.bump();
    assert.deepEqual(new Set(Array.from({ length: 6 }, () => b.select({}))), new Set([2]));
    const all = s.make('roundrobin', {}, true);
    assert.deepEqual(new Set(Array.from({ length: 6 }, () => all.select({}))), new Set([2, 3]));
  });

  test('no usable server at all gives -1', () => {
    const s = setup([1]);
    s.table.set(0, SRV.UP, 0);
    assert.equal(s.make('leastconn').select({}), -1);
  });
});

describe('leastconn, first, random', () => {
  test('leastconn avoids a server pinned by long-lived connections', () => {
    const s = setup([1, 1, 1]);
    s.table.set(0, SRV.CUR_CONN, 50);
    const b = s.make('leastconn');
    const picks: number[] = [];
    for (let i = 0; i < 10; i++) {
      const p = b.select({});
      picks.push(p);
      s.table.add(p, SRV.CUR_CONN, 1);
    }
    assert.equal(tally(picks, 3)[0], 0);
    assert.deepEqual(tally(picks, 3).slice(1), [5, 5]);
  });

  test('first fills servers in id order up to their maxconn', () => {
    const s = setup([1, 1, 1], { maxconn: [2, 2, 2] });
    const b = s.make('first');
    const picks: number[] = [];
    for (let i = 0; i < 5; i++) {
      const p = b.select({});
      picks.push(p);
      assert.ok(s.table.tryAcquire(p));
    }
    assert.deepEqual(picks, [0, 0, 1, 1, 2]);
  });

  test('random never picks an unusable server and spreads load', () => {
    const s = setup([1, 1, 1]);
    s.table.set(2, SRV.UP, 0);
    const b = s.make('random', { draws: 2 });
    const c = tally(Array.from({ length: 200 }, () => b.select({})), 3);
    assert.equal(c[2], 0);
    assert.ok(c[0]! > 0 && c[1]! > 0);
  });
});

describe('source hashing', () => {
  test('the same client always lands on the same server', () => {
    const s = setup([1, 2, 1]);
    const b = s.make('source');
    const src = Uint8Array.from([10, 1, 2, 3]);
    const first = b.select({ src });
    for (let i = 0; i < 20; i++) assert.equal(b.select({ src }), first);
  });

  test('the map gives each server its weight share', () => {
    const map = haproxyMap(effectiveWeights([3, 1, 2]));
    assert.deepEqual(tally(map, 3), [48, 16, 32]);
  });

  const haproxy = '/usr/sbin/haproxy';
  test('picks the server HAProxy 2.6 picks for the same addresses and weights', { skip: !existsSync(haproxy) }, async () => {
    const weights = [5, 3, 7];
    const names = ['s1', 's2', 's3'];
    const servers = await nameServers(names);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sy-lb-'));
    const cfg = join(dir, 'h.cfg');
    writeFileSync(
      cfg,
      `defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\nlisten l\n bind 127.0.0.1:${port}\n balance source\n` +
        names.map((n, i) => ` server ${n} 127.0.0.1:${(servers[i]!.address() as net.AddressInfo).port} weight ${weights[i]}`).join('\n') +
        '\n',
    );
    const hp = spawn(haproxy, ['-f', cfg, '-db'], { stdio: 'ignore' });
    try {
      const ask = (ip: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const c = net.connect({ port, host: '127.0.0.1', localAddress: ip });
          let d = '';
          c.on('data', (x) => (d += x));
          c.on('end', () => resolve(d));
          c.on('error', reject);
        });
      (await connectWhenUp(port)).destroy();
      const map = haproxyMap(effectiveWeights(weights));
      for (let i = 1; i <= 25; i++) {
        const ip = `127.${i}.${(i * 7) % 256}.${((i * 13) % 250) + 1}`;
        const ours = names[map[addressHash(Uint8Array.from(ip.split('.').map(Number))) % map.length]!];
        assert.equal(ours, await ask(ip), `client ${ip}`);
      }
    } finally {
      hp.kill();
      for (const s of servers) s.close();
    }
  });
});

// ---------------------------------------------------------------------------------------
// hash-type: the hash functions, the avalanche, consistent hashing, against haproxy 2.6.12.

const HAPROXY = '/usr/sbin/haproxy';
const FUNCS: HashFunction[] = ['sdbm', 'djb2', 'wt6', 'crc32'];
const registries = installFeatures();

/** Parse and compile a config with our own code, as the worker does; alerts are returned. */
function compileText(text: string) {
  const { model, diag } = parseConfig([{ name: 't.cfg', text }], {
    env: { getenv: (n) => process.env[n], cwd: process.cwd() },
    cond: condEnv(process.env, registries),
    registries,
  });
  postCheck(model, diag, registries);
  const alerts = diag.items.filter((d) => d.severity === 'alert').map((d) => d.message);
  const layout = computeLayout(model);
  return { model, alerts, runtime: alerts.length ? undefined : compileRuntime(model, layout) };
}

/** The balancer the worker would build for backend `name` of a compiled config (state from the config). */
function balancerOf(text: string, name = 'l'): { select(ip: string): string } {
  const { runtime, alerts } = compileText(text);
  assert.deepEqual(alerts, [], 'config errors');
  const be = runtime!.backends.get(name)!;
  const b = backendBalancer(be).balancer;
  const bySlot = new Map(be.servers.map((s) => [s.slot, s.name]));
  return { select: (ip) => bySlot.get(b.select({ src: ipBytes(ip) }))! };
}

const ipBytes = (ip: string): Uint8Array => Uint8Array.from(ip.split('.').map(Number));

/** Deterministic client addresses spread over 127.0.0.0/8. */
function clientAddresses(n: number, seed: number): string[] {
  let x = seed >>> 0;
  const next = (): number => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  return Array.from({ length: n }, () => `127.${next() >>> 24}.${(next() >>> 24) & 0xff}.${((next() >>> 24) % 254) + 1}`);
}

/** Values of haproxy 2.6.12's converters: [sdbm, sdbm(1), djb2, djb2(1), wt6, wt6(1), crc32, crc32(1)]. */
const VECTORS: [string, number[]][] = [
  ['/', [47, 2118074832, 177620, 3725504903, 1886637733, 2250254464, 2043925204, 2724628003]],
  ['/a', [3083250, 1743195586, 5861557, 3623408593, 1404582375, 652714202, 1768979292, 2112193429]],
  ['/hello', [989295555, 1834512933, 2098506440, 2417624115, 3461469480, 3418767242, 3070904283, 1413357613]],
  ['/abcdefghijklmnop', [4212573751, 4286719379, 2810513756, 2192563750, 474394037, 2369346321, 1498381140, 3978255411]],
  ['/images/logo.png', [713581038, 3707622295, 3368543325, 300954390, 3116080871, 1541819453, 1552048426, 1583568371]],
  ['/0123456789', [2129827508, 115199444, 1830516193, 3624383464, 1877456382, 3484505615, 1005413709, 2936082333]],
  ['/~user/%7E', [3454851358, 3406630914, 3407877089, 4248503319, 361780366, 1891717869, 3619716640, 1289157035]],
];

/** Start haproxy on `cfg`, wait until `port` accepts; returns a stopper. */
async function startHaproxy(cfg: string, port: number): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-hash-'));
  const file = join(dir, 'h.cfg');
  writeFileSync(file, cfg);
  const hp = spawn(HAPROXY, ['-f', file, '-db'], { stdio: 'ignore' });
  try {
    (await connectWhenUp(port)).destroy();
  } catch (e) {
    hp.kill();
    throw e;
  }
  return async () => {
    if (hp.exitCode === null) {
      hp.kill();
      await once(hp, 'exit');
    }
  };
}

function askFrom(port: number, ip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1', localAddress: ip });
    let d = '';
    c.on('data', (x) => (d += x));
    c.on('end', () => resolve(d));
    c.on('error', reject);
  });
}

describe('hash-type: hash functions', () => {
  test('sdbm, djb2, wt6, crc32, with and without avalanche, give haproxy 2.6.12 values', () => {
    for (const [key, want] of VECTORS) {
      const got = FUNCS.flatMap((f) => [hashKey(key, f, false), hashKey(key, f, true)]);
      assert.deepEqual(got, want, key);
    }
  });

  test('avalanche and ring point keys', () => {
    assert.equal(fullHash(47), 2118074832); // sdbm('/') = 47, avalanched by haproxy's sdbm(1)
    // Point n of server id i is full_hash(i * 4096 + n): ids 1 and 2 never share an input.
    assert.equal(pointKey(1, 0), fullHash(4096));
    assert.equal(pointKey(2, 5), fullHash(8197));
    // Source keys: only the XOR of the address words, the avalanche on demand.
    assert.equal(addressKey(ipBytes('127.1.2.3')), 0x7f010203);
    assert.equal(addressKey(ipBytes('127.1.2.3'), true), fullHash(0x7f010203));
    const v6 = Uint8Array.from({ length: 16 }, (_, i) => (i === 3 ? 1 : i === 15 ? 3 : 0));
    assert.equal(addressKey(v6), 2);
  });

  test('none (HAProxy 2.9) reads the key as a decimal number', () => {
    assert.equal(hashKey('12345', 'none'), 12345);
    assert.equal(hashKey('4294967297x', 'none'), 1);
    assert.equal(hashKey('-1', 'none'), 0xffffffff);
    assert.equal(hashKey('abc', 'none'), 0);
  });

  test('the hash-type keyword: values and defaults, messages as haproxy 2.6.12', () => {
    const cases: [string, unknown][] = [
      ['map-based', { method: 'map-based', function: 'sdbm', avalanche: false }],
      ['consistent', { method: 'consistent', function: 'sdbm', avalanche: true }],
      ['consistent sdbm', { method: 'consistent', function: 'sdbm', avalanche: false }],
      ['consistent wt6 avalanche', { method: 'consistent', function: 'wt6', avalanche: true }],
      ['map-based crc32 avalanche', { method: 'map-based', function: 'crc32', avalanche: true }],
      ['consistent none', "'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions."],
      ['consistent djb2 foo', "'hash-type' only supports 'avalanche' as a modifier for hash functions."],
      ['avalanche', "experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead."],
      ['', "'hash-type' only supports 'consistent' and 'map-based'."],
    ];
    for (const [args, want] of cases) {
      const { model, alerts } = compileText(`backend b\n hash-type ${args}\n server s 127.0.0.1:1\n`);
      if (typeof want === 'string') assert.deepEqual(alerts.map((a) => a.replace(/^parsing \[[^\]]*\] : /, '')), [want], args);
      else {
        assert.deepEqual(alerts, [], args);
        assert.deepEqual(model.proxies[0]!.settings['hash-type']!.value, want, args);
      }
    }
    // Inherited from defaults, and carried into the runtime and the balancer's spec.
    const { runtime } = compileText(`defaults\n hash-type consistent djb2\nbackend b\n balance source\n server s 127.0.0.1:1\n`);
    const be = runtime!.backends.get('b')!;
    assert.deepEqual(be.hashType, { method: 'consistent', function: 'djb2', avalanche: false });
    assert.deepEqual(be.balance['hashType'], be.hashType);
    assert.ok(compileText(`backend b\n hash-balance-factor 150\n`).alerts[0]!.includes('not implemented'));
  });

  test('matches haproxy 2.6.12 converters on 200 random keys', { skip: !existsSync(HAPROXY) }, async () => {
    const port = await freePort();
    const fmt = FUNCS.map((f) => `%[path,${f}] %[path,${f}(1)]`).join(' ');
    const stop = await startHaproxy(
      `defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\nlisten l\n bind 127.0.0.1:${port}\n` +
        ` http-request return status 200 content-type text/plain lf-string "${fmt}"\n`,
      port,
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._~-';
      let x = 7;
      const rnd = (n: number): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
      for (let i = 0; i < 200; i++) {
        const key = '/' + Array.from({ length: rnd(60) }, () => chars[rnd(chars.length)]).join('');
        const body = await new Promise<string>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: key, agent }, (res) => {
            let d = '';
            res.on('data', (c) => (d += c));
            res.on('end', () => resolve(d));
          }).on('error', reject);
        });
        const ours = FUNCS.flatMap((f) => [hashKey(key, f, false), hashKey(key, f, true)]).join(' ');
        assert.equal(ours, body.trim(), key);
      }
    } finally {
      agent.destroy();
      await stop();
    }
  });
});

describe('hash-type consistent: the ring', () => {
  test('a server has weight × 16 points; lookups are stable and weighted', () => {
    const ring = ChashRing.weighted([
      { item: 'a', id: 1, weight: 1 },
      { item: 'b', id: 2, weight: 3 },
    ]);
    assert.equal(ring.size, 64);
    assert.equal(new ChashRing<string>([]).lookup(5), undefined);
    const count = { a: 0, b: 0 };
    for (let i = 0; i < 20000; i++) count[ring.lookup(fullHash(i)) as 'a' | 'b']++;
    assert.ok(count.b > 2 * count.a, JSON.stringify(count));
  });

  test('redispatch walks on past the avoided server; a lone server is returned anyway', () => {
    const ring = ChashRing.weighted(['a', 'b', 'c'].map((item, i) => ({ item, id: i + 1, weight: 2 })));
    for (let i = 0; i < 500; i++) {
      const h = fullHash(i * 7919);
      const first = ring.lookup(h)!;
      const other = ring.lookup(h, first)!;
      assert.notEqual(other, first);
    }
    const lone = ChashRing.weighted([{ item: 'a', id: 1, weight: 1 }]);
    assert.equal(lone.lookup(123, 'a'), 'a');
  });

  test('a server going down moves only its own clients; back up, all return', () => {
    const s = setup([5, 3, 7, 1]);
    const b = s.make('source', { hashType: { method: 'consistent', function: 'sdbm', avalanche: true } });
    const ips = clientAddresses(3000, 11).map(ipBytes);
    const before = ips.map((src) => b.select({ src }));
    assert.deepEqual(
      tally(before, 4).map((c) => c > 0),
      [true, true, true, true],
    );
    s.table.set(2, SRV.ADMIN, ADMIN_MAINT);
    s.bump();
    const during = ips.map((src) => b.select({ src }));
    ips.forEach((_, i) => {
      if (before[i] !== 2) assert.equal(during[i], before[i]);
      else assert.notEqual(during[i], 2);
    });
    s.table.set(2, SRV.ADMIN, 0);
    s.bump();
    assert.deepEqual(ips.map((src) => b.select({ src })), before);
  });

  test('raising a weight only moves clients onto that server', () => {
    const s = setup([2, 2, 2]);
    const b = s.make('source', { hashType: { method: 'consistent', function: 'sdbm', avalanche: true } });
    const ips = clientAddresses(3000, 5).map(ipBytes);
    const before = ips.map((src) => b.select({ src }));
    s.table.set(0, SRV.WEIGHT, 6);
    s.bump();
    const after = ips.map((src) => b.select({ src }));
    ips.forEach((_, i) => assert.ok(after[i] === before[i] || after[i] === 0));
    assert.ok(tally(after, 3)[0]! > tally(before, 3)[0]!);
  });

  test('map-based + avalanche: the avalanched address modulo the map', () => {
    const s = setup([3, 1, 2]);
    const b = s.make('source', { hashType: { method: 'map-based', function: 'djb2', avalanche: true } });
    const map = haproxyMap(effectiveWeights([3, 1, 2]));
    for (const ip of clientAddresses(50, 3)) assert.equal(b.select({ src: ipBytes(ip) }), map[fullHash(addressHash(ipBytes(ip))) % map.length]);
  });

  // Every hash-type variant over weighted servers (one with an explicit id), then the same
  // with a server disabled: our balancer, built from our parse of the same text, must pick
  // the server haproxy 2.6.12 picks for each client address.
  const VARIANTS = [
    'consistent',
    ...FUNCS.flatMap((f) => [`consistent ${f}`, `consistent ${f} avalanche`]),
    'map-based sdbm avalanche',
    'map-based djb2',
    'map-based wt6 avalanche',
  ];
  test(`balance source picks the server haproxy 2.6.12 picks (${VARIANTS.length} hash-types + a disabled server)`, { skip: !existsSync(HAPROXY), timeout: 120_000 }, async () => {
    const names = ['s1', 's2', 's3', 's4'];
    const servers = await nameServers(names);
    const sport = (i: number): number => (servers[i]!.address() as net.AddressInfo).port;
    const ips = clientAddresses(40, 2024);
    let matched = 0;
    const configText = (port: number, hashType: string, disabled?: number): string =>
      `defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\nlisten l\n bind 127.0.0.1:${port}\n` +
      ` balance source\n hash-type ${hashType}\n` +
      [' server s1 127.0.0.1:%0 weight 5', ' server s2 127.0.0.1:%1 weight 3 id 7', ' server s3 127.0.0.1:%2 weight 7', ' server s4 127.0.0.1:%3 weight 1']
        .map((l, i) => l.replace(`%${i}`, String(sport(i))) + (disabled === i ? ' disabled' : ''))
        .join('\n') +
      '\n';
    const run = async (hashType: string, disabled?: number): Promise<string[]> => {
      const port = await freePort();
      const text = configText(port, hashType, disabled);
      const ours = balancerOf(text);
      const stop = await startHaproxy(text, port);
      try {
        const theirs: string[] = [];
        for (const ip of ips) {
          const got = await askFrom(port, ip);
          assert.equal(ours.select(ip), got, `hash-type ${hashType}${disabled !== undefined ? ` (s${disabled + 1} disabled)` : ''}: client ${ip}`);
          theirs.push(got);
          matched++;
        }
        return theirs;
      } finally {
        await stop();
      }
    };
    try {
      for (const v of VARIANTS) await run(v);
      // Consistent hashing in haproxy itself: disabling s3 moves only s3's clients.
      const all = await run('consistent');
      const without = await run('consistent', 2);
      all.forEach((srv, i) => (srv === 's3' ? assert.notEqual(without[i], 's3') : assert.equal(without[i], srv)));
      assert.equal(matched, ips.length * (VARIANTS.length + 2));
    } finally {
      for (const s of servers) s.close();
    }
  });
});
