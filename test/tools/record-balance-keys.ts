// Records which server the real HAProxy 2.6 picks for string-keyed balancing (balance uri,
// url_param, hdr, hash), so test/lb-keyed.test.ts checks our choices against behaviour and
// needs no haproxy at run time.
//
//   npx tsc -p tsconfig.json && node dist/test/tools/record-balance-keys.js
//
// One haproxy process: a `listen` per server name (s1..s6) answering its own name with
// `http-request return`, one backend per case (its balance, hash-type, options and weighted
// servers pointing at those listens), and a frontend routing on the `x-be` request header.
// Each request goes on a fresh connection, in order, so the round-robin fallback sequences
// (requests without a key) are recorded too. Writes test/fixtures/balance-keys.json:
//   { haproxy, requestSets: { NAME: [{ method, uri, headers }] },
//     backends: [{ name, lines, servers, set, picks }] }
// `lines` and `servers` are the backend's configuration lines (servers without address);
// `picks[i]` is the server that answered request i of the set, or null when HAProxy answered
// itself (a request it refuses).
// It does nothing under `node --test` (NODE_TEST_CONTEXT set), nor when imported.
// Environment: HAPROXY_BIN (default /usr/sbin/haproxy).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { freePort, connectWhenUp } from '../helpers/net.js';

export interface KeyRequest {
  readonly method: string;
  readonly uri: string;
  /** Header lines in order; a request without a `host` line gets `host: example.com`. */
  readonly headers: readonly (readonly [string, string])[];
}

export interface RecordedBackend {
  readonly name: string;
  readonly lines: readonly string[];
  readonly servers: readonly string[];
  readonly set: string;
  readonly picks: readonly (string | null)[];
}

export interface KeyFixture {
  readonly haproxy: string;
  readonly requestSets: Readonly<Record<string, readonly KeyRequest[]>>;
  readonly backends: readonly RecordedBackend[];
}

/** The bytes sent for a request (the x-be header routes it to its backend). */
export function requestBytes(r: KeyRequest, backend: string): string {
  const hasHost = r.headers.some(([n]) => n.toLowerCase() === 'host');
  const lines = [`${r.method} ${r.uri} HTTP/1.1`, ...(hasHost ? [] : ['host: example.com']), `x-be: ${backend}`];
  for (const [n, v] of r.headers) lines.push(`${n}:${v === '' ? '' : ` ${v}`}`);
  return `${lines.join('\r\n')}\r\nconnection: close\r\n\r\n`;
}

const get = (uri: string, headers: [string, string][] = []): KeyRequest => ({ method: 'GET', uri, headers });

/** Deterministic pseudo-random generator (LCG), so a re-recording sends the same keys. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

function randomPath(next: () => number): string {
  const parts = 1 + (next() % 4);
  let p = '';
  for (let i = 0; i < parts; i++) p += `/${(next() >>> 8).toString(36).slice(0, 1 + (next() % 7))}`;
  if (next() % 3 === 0) p += `?id=${next() % 1000}&k=${(next() >>> 4).toString(16)}`;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Request sets

/** Edge cases of key extraction: paths, query strings, header lists, host names. */
const EXTRACT: KeyRequest[] = [
  get('/'),
  get('/a'),
  get('/a/b/c/d'),
  get('/a/b?x=1'),
  get('/a//b'),
  get('/abc/def/ghi?id=42&x=1'),
  get('/?id=7'),
  get('/p?id='),
  get('/p?id'),
  get('/p?xid=5&id=9'),
  get('/p?id=1&id=2'),
  get('/p?&id=3'),
  get('/p?a=1&&id=4'),
  get('/p?id=5#frag'),
  get('/p#x?id=6'),
  get('/a?b?id=c'),
  get('/p?ID=1'),
  get('/p?i=1&id=x=y'),
  get('/%7Euser/?id=%41'),
  get('/very/long/path/segment/that/exceeds/the/len?id=z'),
  get('http://example.com/a/b/c?id=8'),
  get('http://example.com'),
  get('http://example.com?id=10'),
  get('HTTP://example.com/x/y'),
  { method: 'OPTIONS', uri: '*', headers: [] },
  get('/k', [['x-key', 'abc']]),
  get('/k', [['X-Key', 'abc']]),
  get('/k', [['x-key', 'a, b']]),
  get('/k', [['x-key', 'b, a']]),
  get('/k', [['x-key', ',b']]),
  get('/k', [['x-key', '']]),
  get('/k', [['x-key', ''], ['x-key', 'b']]),
  get('/k', [['x-key', 'a'], ['x-key', 'b']]),
  get('/k', [['x-key', 'b'], ['x-key', 'a']]),
  get('/k', [['x-key', 'spaced value ']]),
  get('/k', [['x-key', 'UPPER']]),
  get('/h', [['host', 'www.example.com']]),
  get('/h', [['host', 'example.com']]),
  get('/h', [['host', 'other.example.com']]),
  get('/h', [['host', 'localhost']]),
  get('/h', [['host', 'a.b.c.d']]),
  get('/h', [['host', 'example.com.']]),
  get('/h', [['host', 'example.com:8080']]),
  get('/h', [['host', 'www.example.com:8080']]),
  get('/h', [['host', '.com']]),
  get('/h', [['host', 'x.com']]),
  get('/h', [['host', 'EXAMPLE.COM']]),
  get('/h', [['host', 'www.example.co.uk']]),
  get('/h', [['host', '127.0.0.1']]),
  get('/h', [['host', 'x']]),
];

/** Random paths, about a third with a query string: spread and weights. */
const RANDOM: KeyRequest[] = (() => {
  const next = lcg(2024);
  return Array.from({ length: 60 }, () => get(randomPath(next)));
})();

/** Keyed and keyless requests interleaved: the round-robin fallback and its position. */
const MIXED: KeyRequest[] = (() => {
  const next = lcg(77);
  const out: KeyRequest[] = [];
  for (let i = 0; i < 40; i++) {
    const keyed = next() % 3 === 0;
    out.push(keyed ? get(`/m${i}?id=${next() % 500}`, [['x-key', `k${next() % 300}`]]) : get(`/m${i}`));
  }
  return out;
})();

export const REQUEST_SETS: Readonly<Record<string, readonly KeyRequest[]>> = { extract: EXTRACT, random: RANDOM, mixed: MIXED };

// ---------------------------------------------------------------------------------------------
// Backends

/** Server lists (without addresses): weights, ids, disabled and backup servers. */
const SERVER_SETS: Readonly<Record<string, { servers: string[]; lines?: string[] }>> = {
  equal3: { servers: ['s1', 's2', 's3'] },
  weighted: { servers: ['s1 weight 5', 's2 weight 3 id 7', 's3 weight 7', 's4 weight 1'] },
  gcd: { servers: ['s1 weight 10', 's2 weight 20', 's3 weight 30'] },
  heavy: { servers: ['s1 weight 256', 's2 weight 1', 's3 weight 100', 's4 weight 37', 's5 weight 2'] },
  states: { servers: ['s1', 's2 disabled', 's3 weight 2', 's4 backup', 's5 weight 0'] },
  single: { servers: ['s1 weight 3'] },
  backups: { servers: ['s1 disabled', 's2 backup weight 2', 's3 backup', 's4 backup weight 5'] },
  allbackups: { servers: ['s1 disabled', 's2 backup weight 2', 's3 backup', 's4 backup weight 5'], lines: ['option allbackups'] },
  // The first backup outweighs the others: the map it sizes holds two of them.
  backups2: { servers: ['s1 disabled', 's2 backup weight 5', 's3 backup weight 4', 's4 backup weight 1'] },
};

const HASH_TYPES = [
  null,
  'map-based djb2',
  'map-based wt6 avalanche',
  'map-based crc32',
  'map-based sdbm avalanche',
  'consistent',
  'consistent djb2',
  'consistent wt6 avalanche',
  'consistent crc32 avalanche',
  'consistent sdbm',
];

const EXTRACT_BALANCES = [
  'uri',
  'uri whole',
  'uri len 5',
  'uri depth 2',
  'uri depth 1 whole',
  'uri path-only',
  'uri path-only whole',
  'uri path-only depth 2 len 12',
  'url_param id',
  'url_param k',
  'hdr(x-key)',
  'hdr(host) use_domain_only',
  'hdr(host)',
  'hdr(x-key) use_domain_only',
  'hash req.hdr(x-key)',
  'hash path,lower',
  'hash url_param(id)',
  'hash int(7)',
  'hash src',
];

interface BackendDef {
  lines: string[];
  servers: string[];
  set: string;
}

export function backendDefs(): BackendDef[] {
  const out: BackendDef[] = [];
  // Extraction: every balance form, map-based and consistent, weighted servers.
  for (const b of EXTRACT_BALANCES) {
    for (const ht of [null, 'consistent']) {
      out.push({ lines: [`balance ${b}`, ...(ht ? [`hash-type ${ht}`] : [])], servers: SERVER_SETS['weighted']!.servers, set: 'extract' });
    }
  }
  // Hash types × server sets, keyed by the URI.
  for (const ht of HASH_TYPES) {
    for (const [, s] of Object.entries(SERVER_SETS)) {
      out.push({ lines: ['balance uri whole', ...(ht ? [`hash-type ${ht}`] : []), ...(s.lines ?? [])], servers: s.servers, set: 'random' });
    }
  }
  // Round-robin fallback: a header key present on a third of the requests.
  for (const ht of [null, 'map-based crc32 avalanche', 'consistent', 'consistent djb2']) {
    for (const name of ['equal3', 'weighted', 'heavy', 'states', 'backups', 'allbackups', 'backups2']) {
      const s = SERVER_SETS[name]!;
      for (const b of ['hdr(x-key)', 'url_param id']) {
        out.push({ lines: [`balance ${b}`, ...(ht ? [`hash-type ${ht}`] : []), ...(s.lines ?? [])], servers: s.servers, set: 'mixed' });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Recording

function haproxyBin(): string {
  return process.env['HAPROXY_BIN'] ?? '/usr/sbin/haproxy';
}

const SERVER_NAMES = ['s1', 's2', 's3', 's4', 's5', 's6'];

function config(front: number, ports: Record<string, number>, defs: readonly BackendDef[]): string {
  const out = [
    'global',
    ' nbthread 1',
    'defaults',
    ' mode http',
    ' timeout connect 2s',
    ' timeout client 5s',
    ' timeout server 5s',
    'frontend fe',
    ` bind 127.0.0.1:${front}`,
    ' use_backend %[req.hdr(x-be)]',
  ];
  for (const n of SERVER_NAMES) {
    out.push(`listen ${n}`, ` bind 127.0.0.1:${ports[n]}`, ` http-request return status 200 content-type text/plain string ${n}`);
  }
  defs.forEach((d, i) => {
    out.push(`backend b${i}`, ...d.lines.map((l) => ` ${l}`));
    for (const s of d.servers) {
      const [name, ...rest] = s.split(' ');
      out.push(` server ${name} 127.0.0.1:${ports[name!]}${rest.length ? ` ${rest.join(' ')}` : ''}`);
    }
  });
  return `${out.join('\n')}\n`;
}

function exchange(port: number, data: string): Promise<string> {
  return new Promise((resolveP, reject) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    let reply = '';
    c.on('connect', () => c.write(data, 'latin1'));
    c.on('data', (d) => (reply += d.toString('latin1')));
    c.on('end', () => resolveP(reply));
    c.on('error', reject);
  });
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const outFile = resolve(here, '../../../test/fixtures/balance-keys.json');
  const defs = backendDefs();
  const front = await freePort();
  const ports: Record<string, number> = {};
  for (const n of SERVER_NAMES) ports[n] = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'sy-balance-keys-'));
  const cfg = join(dir, 'haproxy.cfg');
  await writeFile(cfg, config(front, ports, defs));
  const version = /version is ([^\s]+)/.exec(execFileSync(haproxyBin(), ['-vv']).toString())?.[1] ?? /HAProxy version ([^\s]+)/.exec(execFileSync(haproxyBin(), ['-v']).toString())?.[1] ?? 'unknown';
  const child = spawn(haproxyBin(), ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    (await connectWhenUp(front)).destroy();
    const backends: RecordedBackend[] = [];
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i]!;
      const picks: (string | null)[] = [];
      for (const r of REQUEST_SETS[d.set]!) {
        const reply = await exchange(front, requestBytes(r, `b${i}`));
        const m = /^HTTP\/1\.1 200 [^\r]*\r\n[\s\S]*?\r\n\r\n(s\d)$/.exec(reply);
        picks.push(m ? m[1]! : null);
      }
      backends.push({ name: `b${i}`, lines: d.lines, servers: d.servers, set: d.set, picks });
      process.stdout.write(`b${i} ${d.lines.join('; ')} [${d.servers.join(', ')}]: ${picks.map((p) => p ?? '-').join(' ')}\n`);
    }
    const fixture: KeyFixture = { haproxy: version, requestSets: REQUEST_SETS, backends };
    await mkdir(dirname(outFile), { recursive: true });
    await writeFile(outFile, `${JSON.stringify(fixture)}\n`);
    process.stdout.write(`wrote ${backends.length} backends to ${outFile}\n`);
  } finally {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

// Run only as a program: test/lb-keyed.test.ts imports requestBytes() from here.
const direct = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (direct && process.env['NODE_TEST_CONTEXT'] !== undefined) {
  process.stdout.write('record-balance-keys: skipped under the test runner\n');
} else if (direct) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
