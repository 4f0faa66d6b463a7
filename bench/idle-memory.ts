// Memory per idle spliced connection, Switchyard beside HAProxy 2.6 in the same run (issue 3:
// ≤ 4 KiB with 10,000 open). Each round, per proxy: an origin (bench/peers/origin.js, a raw
// HTTP/1.1 server that keeps connections open) and the proxy start; 200 warm-up connections
// come and go; the proxy's memory is read idle; then N clients connect through it, each
// sends one request and reads its 129-byte answer (the session is established and has carried
// bytes both ways, spliced), and the connections stay open, idle. Once every client has its
// answer and the proxy's `show info` counts the N sessions, its memory is read again:
// (loaded − idle) / N is the cost of one idle connection. Clients and origin are separate
// processes, so only the proxy's own memory is counted.
//
//   npm run bench:idle-memory [-- --conns 10000] [--rounds 3]
//
// Results: bench/results/idle-memory.json and idle-memory.md.
//
// Both proxies read the same `mode tcp` configuration (nbthread 1, `option splice-request`
// and `splice-response`). Switchyard splices it with its native forwarder (the frontend needs
// no payload inspection); the run checks this rather than assumes it: the forwarder's epoll
// set must hold both sockets of every session (see epollSets()).
//
// Memory does not depend on the CPU it is measured on, so everything runs on the load CPUs and
// the proxy CPU stays quiet for whatever CPU benchmark runs beside this one.
//
// Kernel memory is not in a process's RSS: each connection's socket structures (TCP socket,
// inode, file, dentry, epoll item) and socket buffers are reported apart, from /proc/slabinfo
// and /proc/net/sockstat. Those are machine-wide: the delta covers the client's and origin's
// sockets too (four sockets per proxied connection, two of them the proxy's).

import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLine, pinSelf, pinned, stderrTail, stop } from './lib/child.js';
import { commandLine, facts, pinningPlan } from './lib/machine.js';
import { freePort } from './lib/proc.js';
import { PROXIES, startProxy, type ProxyDef, type Running } from './lib/proxies.js';
import { fmt, median, ratio, spread, type Spread } from './lib/stats.js';

const SELF = fileURLToPath(import.meta.url);
const ORIGIN = fileURLToPath(new URL('./peers/origin.js', import.meta.url));
const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));
/** Issue 3's acceptance figure. */
const TARGET_BYTES = 4096;
const TARGET_CONNS = 10_000;
/**
 * fds a proxy needs besides two per connection: listeners, epoll sets, pooled pipes, the CLI,
 * Node's own. Both proxies refuse to start when `maxconn` needs more fds than the limit (strict-limits).
 */
const FD_RESERVE = 128;
/** Connections opened and closed before the idle reading: first-use costs (JIT, pools) are not per connection. */
const WARMUP = 200;
/** Clients connecting at once: enough to be quick, few enough that no burst of buffers is measured. */
const PARALLEL = 64;
/**
 * Source addresses for the clients: the proxy's own connections to the origin draw from
 * 127.0.0.1's ephemeral ports, and a few rounds of TIME_WAIT must not exhaust them.
 */
const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: idle\r\n\r\n');

// ---- the client process: `node idle-memory.js clients PORT N` ---------------------------

/** Resolves once `c` has read one whole HTTP response (Content-Length framed); false if it closed first. */
function exchange(c: net.Socket): Promise<boolean> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length:\s*(\d+)/i.exec(got.toString('latin1', 0, end))?.[1] ?? 0);
      if (got.length < end + 4 + len) return;
      c.off('data', onData);
      c.off('close', onClose);
      resolve(true);
    };
    const onClose = (): void => resolve(false);
    c.on('data', onData);
    c.once('close', onClose);
    c.write(REQUEST);
  });
}

/** Opens `n` connections to `port`, each with one exchange; prints a JSON line; holds them until stdin ends. */
async function clients(port: number, n: number): Promise<void> {
  const held: net.Socket[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const c = net.connect({ port, host: '127.0.0.1', localAddress: SOURCES[i % SOURCES.length]! });
      c.on('error', () => undefined);
      c.once('close', () => resolve()); // refused or reset: not held
      c.once('connect', () => {
        void exchange(c).then((ok) => {
          if (ok) held.push(c);
          resolve();
        });
      });
    });
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < n) await one(next++);
    }),
  );
  process.stdout.write(JSON.stringify({ open: held.length, failed: n - held.length, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

// ---- reading a process and the kernel -----------------------------------------------------

interface MemReading {
  /** KiB, from /proc/PID/status and smaps_rollup. */
  rss: number;
  pss: number;
  priv: number;
  anon: number;
}

function memory(pid: number): MemReading {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rss: Number(/VmRSS:\s*(\d+)/.exec(status)?.[1] ?? NaN),
    pss: kib('Pss'),
    priv: kib('Private_Clean') + kib('Private_Dirty'),
    anon: kib('Anonymous'),
  };
}

/** The slab caches a socket's kernel objects come from (a cache the kernel merged away reads 0). */
const SOCKET_SLABS = ['TCP', 'sock_inode_cache', 'filp', 'dentry', 'eventpoll_epi', 'eventpoll_pwq'];

interface KernelReading {
  /** Bytes in use in SOCKET_SLABS (active objects × object size). */
  slabBytes: number;
  /** TCP socket buffer memory, bytes (sockstat `TCP: mem` pages; machine-wide). */
  tcpBufBytes: number;
}

const PAGE = Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout.trim()) || 4096;

function kernel(): KernelReading {
  let slabBytes = 0;
  try {
    for (const line of readFileSync('/proc/slabinfo', 'utf8').split('\n')) {
      const f = line.split(/\s+/);
      if (SOCKET_SLABS.includes(f[0]!)) slabBytes += Number(f[1]) * Number(f[3]);
    }
  } catch {
    slabBytes = NaN; // slabinfo is root's only
  }
  const mem = /^TCP:.* mem (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1];
  return { slabBytes, tcpBufBytes: mem === undefined ? NaN : Number(mem) * PAGE };
}

/**
 * The epoll sets `pid` holds: entries, and how many carry a token other than their fd. libuv
 * and HAProxy register an fd under its own number; Switchyard's forwarder under its
 * connection id and side, so its set is the one that shows the spliced sessions.
 */
function epollSets(pid: number): { entries: number; tagged: number }[] {
  const sets: { entries: number; tagged: number }[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== 'anon_inode:[eventpoll]') continue;
    let entries = 0;
    let tagged = 0;
    for (const m of readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').matchAll(/^tfd:\s*(\d+)\s+events:\s*\S+\s+data:\s*([0-9a-f]+)/gm)) {
      entries++;
      if (Number(BigInt.asUintN(32, BigInt(`0x${m[2]}`))) !== Number(m[1])) tagged++;
    }
    sets.push({ entries, tagged });
  }
  return sets.sort((a, b) => b.entries - a.entries);
}

/** `show info` on the stats socket, as name → value. */
function showInfo(path: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let out = '';
    const c = net.connect(path, () => c.write('show info\n'));
    c.on('data', (d: Buffer) => (out += d.toString()));
    c.once('error', reject);
    c.once('close', () => resolve(Object.fromEntries(out.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]))));
  });
}

/**
 * Resolves once the proxy's CurrConns is `n`, asking again each time it answers otherwise
 * (bounded). The clients' answers already prove each session carried bytes; this sees the
 * proxy's side of it: the warm-up's closes done, and exactly the measured sessions held.
 */
async function currConnsReach(path: string, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await showInfo(path))['CurrConns'] ?? '';
    if (Number(last) === n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the proxy counts ${last} connections, expected ${n}`);
}

// ---- one measurement ----------------------------------------------------------------------

interface Sample {
  round: number;
  proxy: string;
  conns: number;
  /** Per connection, bytes: (loaded − idle) / conns. */
  rssPerConn: number;
  pssPerConn: number;
  privatePerConn: number;
  anonPerConn: number;
  /** Machine-wide kernel deltas per connection, bytes (4 sockets: client, proxy ×2, origin). */
  kernelSlabPerConn: number;
  kernelTcpBufPerConn: number;
  idle: MemReading;
  loaded: MemReading;
  /** Largest epoll set's entries, and those tagged by something other than their fd. */
  epoll: { entries: number; tagged: number };
  openSeconds: number;
}

/** Opens `n` client connections through `port` in a client process; resolves with it once all have exchanged. */
async function openClients(cpus: string, port: number, n: number): Promise<{ open: number; failed: number; seconds: number; close: () => Promise<void> }> {
  const p = pinned(cpus, process.execPath, [SELF, 'clients', String(port), String(n)]);
  const err = stderrTail(p);
  try {
    const ans = JSON.parse(await firstLine(p)) as { open: number; failed: number; seconds: number };
    return { ...ans, close: () => stop(p) };
  } catch (e) {
    await stop(p);
    throw new Error(`clients: ${e instanceof Error ? e.message : String(e)} ${err().trim().slice(-400)}`);
  }
}

function config(port: number, origin: number, n: number, statsPath: string): string {
  return [
    'global',
    '    nbthread 1',
    // Room for every measured connection and the readiness probe (neither proxy's default is
    // that high here), yet within the fd limit: both refuse a maxconn the limit cannot hold.
    `    maxconn ${n + 16}`,
    `    stats socket ${statsPath}`,
    'defaults',
    '    mode tcp',
    '    option splice-request',
    '    option splice-response',
    '    timeout connect 5s',
    '    timeout client 5m',
    '    timeout server 5m',
    'listen idle',
    `    bind 127.0.0.1:${port}`,
    `    server origin 127.0.0.1:${origin}`,
    '',
  ].join('\n');
}

async function measure(def: ProxyDef, round: number, n: number, cpus: string, dir: string): Promise<Sample> {
  const originPort = await freePort();
  const origin = pinned(cpus, process.execPath, [ORIGIN, String(originPort)]);
  const originErr = stderrTail(origin);
  let proxy: Running | undefined;
  try {
    await firstLine(origin).catch((e: unknown) => {
      throw new Error(`origin: ${String(e)} ${originErr()}`);
    });
    const port = await freePort();
    const statsPath = join(dir, `${def.id}-${round}.sock`);
    proxy = await startProxy(def, { haproxy: config(port, originPort, n, statsPath), port }, cpus, join(dir, `${def.id}-${round}`));
    const warm = await openClients(cpus, port, WARMUP);
    await warm.close();
    await currConnsReach(statsPath, 0);
    const idle = memory(proxy.pid);
    const k0 = kernel();
    const c = await openClients(cpus, port, n);
    try {
      if (c.open !== n) throw new Error(`${def.label}: ${c.open} of ${n} connections exchanged (${c.failed} failed)`);
      await currConnsReach(statsPath, n);
      const loaded = memory(proxy.pid);
      const k1 = kernel();
      const epoll = epollSets(proxy.pid)[0] ?? { entries: 0, tagged: 0 };
      const per = (a: number, b: number): number => Math.round(((b - a) * 1024) / n);
      return {
        round,
        proxy: def.label,
        conns: n,
        rssPerConn: per(idle.rss, loaded.rss),
        pssPerConn: per(idle.pss, loaded.pss),
        privatePerConn: per(idle.priv, loaded.priv),
        anonPerConn: per(idle.anon, loaded.anon),
        kernelSlabPerConn: Math.round((k1.slabBytes - k0.slabBytes) / n),
        kernelTcpBufPerConn: Math.round((k1.tcpBufBytes - k0.tcpBufBytes) / n),
        idle,
        loaded,
        epoll,
        openSeconds: c.seconds,
      };
    } finally {
      await c.close();
    }
  } finally {
    await proxy?.stop();
    await stop(origin);
  }
}

// ---- the run ------------------------------------------------------------------------------

function openFilesLimit(): number {
  return Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
}

/**
 * The proxy needs two fds per connection and the default soft limit is far lower: run this
 * script again under the highest limit the shell can set (children inherit it). Without
 * CAP_SYS_RESOURCE the hard limit stays where it is, and fewer connections are measured.
 */
function reexecWithFds(argv: readonly string[]): never {
  const want = 2 * TARGET_CONNS + 4 * FD_RESERVE;
  const r = spawnSync('sh', ['-c', `ulimit -Hn ${want} 2>/dev/null; ulimit -Sn "$(ulimit -Hn)"; exec "$0" "$@"`, process.execPath, SELF, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, SY_IDLE_MEMORY_FDS: '1' },
  });
  process.exit(r.status ?? 1);
}

function option(argv: readonly string[], flag: string, dflt: number): number {
  const i = argv.indexOf(flag);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${flag} expects a positive whole number`);
  return v;
}

interface Row {
  proxy: string;
  conns: number;
  rssPerConn: Spread;
  pssPerConn: Spread;
  privatePerConn: Spread;
  anonPerConn: Spread;
  kernelSlabPerConn: Spread;
  kernelTcpBufPerConn: Spread;
  /** fds registered under a token other than their number in the largest epoll set (median). */
  epollTagged: number;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (process.env['SY_IDLE_MEMORY_FDS'] !== '1') reexecWithFds(argv);
  const rounds = option(argv, '--rounds', 3);
  const limit = openFilesLimit();
  const most = Math.floor((limit - FD_RESERVE) / 2);
  const asked = option(argv, '--conns', TARGET_CONNS);
  const n = Math.min(asked, most);
  const limited = n < asked;
  if (limited) process.stderr.write(`RLIMIT_NOFILE is ${limit} and cannot be raised here: measuring ${n} connections (2 fds each in the proxy)\n`);
  const pin = pinningPlan();
  pinSelf(pin.loadCpus);
  const defs: ProxyDef[] = [];
  if (PROXIES.haproxy.missing() === undefined) {
    // HAProxy counts two fds per `maxpipes` (maxconn/4 by default) in what maxconn needs, which
    // this fd limit cannot hold; a pipe is only held while bytes move, a few at a time here.
    defs.push({ ...PROXIES.haproxy, extraGlobal: ['maxpipes 16'] });
  }
  defs.push(PROXIES.switchyard);
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-idle-'));
  const samples: Sample[] = [];
  const t0 = Date.now();
  try {
    for (let round = 1; round <= rounds; round++) {
      // Interleaved, and the order alternates: neither proxy always runs on a fresher machine.
      const order = round % 2 ? defs : [...defs].reverse();
      for (const def of order) {
        const s = await measure(def, round, n, pin.loadCpus, dir);
        if (def.id === 'switchyard' && s.epoll.tagged < 2 * n) {
          throw new Error(`switchyard did not splice: its largest epoll set holds ${s.epoll.entries} fds, ${s.epoll.tagged} of them the forwarder's (expected ${2 * n})`);
        }
        samples.push(s);
        process.stderr.write(
          `round ${round}/${rounds} ${s.proxy}: ${n} idle connections opened in ${s.openSeconds.toFixed(1)} s; per connection RSS ${s.rssPerConn} B, Pss ${s.pssPerConn} B, private ${s.privatePerConn} B; kernel slab ${s.kernelSlabPerConn} B, TCP buffers ${s.kernelTcpBufPerConn} B\n`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report(argv, samples, defs, n, limit, limited, rounds, (Date.now() - t0) / 1000);
}

function report(argv: readonly string[], samples: Sample[], defs: ProxyDef[], n: number, limit: number, limited: boolean, rounds: number, wallS: number): void {
  const pin = pinningPlan();
  const rows: Row[] = defs.map((d) => {
    const mine = samples.filter((s) => s.proxy === d.label);
    const sp = (k: keyof Pick<Sample, 'rssPerConn' | 'pssPerConn' | 'privatePerConn' | 'anonPerConn' | 'kernelSlabPerConn' | 'kernelTcpBufPerConn'>): Spread => spread(mine.map((s) => s[k]));
    return {
      proxy: d.label,
      conns: n,
      rssPerConn: sp('rssPerConn'),
      pssPerConn: sp('pssPerConn'),
      privatePerConn: sp('privatePerConn'),
      anonPerConn: sp('anonPerConn'),
      kernelSlabPerConn: sp('kernelSlabPerConn'),
      kernelTcpBufPerConn: sp('kernelTcpBufPerConn'),
      epollTagged: median(mine.map((s) => s.epoll.tagged)),
    };
  });
  const ha = rows.find((r) => r.proxy === PROXIES.haproxy.label);
  const sy = rows.find((r) => r.proxy === PROXIES.switchyard.label)!;
  const command = commandLine('dist/bench/idle-memory.js', argv);
  const f = facts({ command, pin: { proxyCpus: pin.loadCpus, loadCpus: pin.loadCpus }, quick: false, rounds, seconds: 0 });
  const result = {
    bench: 'idle-memory',
    ...f,
    wallSeconds: Math.round(wallS),
    conns: n,
    openFilesLimit: limit,
    targetBytesPerConn: TARGET_BYTES,
    targetConns: TARGET_CONNS,
    pass: sy.rssPerConn.median <= TARGET_BYTES,
    ratioRss: ha ? sy.rssPerConn.median / ha.rssPerConn.median : null,
    rows,
    samples,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'idle-memory.json'), JSON.stringify(result, null, 2) + '\n');
  const cell = (s: Spread): string => `${fmt(s.median, 0)} (${fmt(s.min, 0)}–${fmt(s.max, 0)})`;
  const kib = (b: number): string => `${(b / 1024).toFixed(2)} KiB`;
  const verdict = `${sy.rssPerConn.median <= TARGET_BYTES ? 'within' : 'over'} issue 3's ${TARGET_BYTES / 1024} KiB`;
  const md = [
    '# Memory per idle spliced connection',
    '',
    `**Switchyard ${fmt(sy.rssPerConn.median, 0)} B of RSS per idle spliced connection${ha ? `, HAProxy ${fmt(ha.rssPerConn.median, 0)} B (${ratio(sy.rssPerConn.median, ha.rssPerConn.median)})` : ''}**, ${verdict}, with ${n.toLocaleString('en-US')} open.`,
    '',
    `Run: \`${command}\` — ${f.date}, ${f.cpu} (${f.cores} cores), Node ${f.node}, kernel ${f.kernel}, HAProxy ${f.versions['haproxy'] ?? 'absent'}; ${rounds} interleaved round(s), ${Math.round(wallS)} s.`,
    '',
    `Each proxy (nbthread 1, \`mode tcp\`, \`option splice-request\` / \`splice-response\`; Switchyard on its native splice forwarder, whose epoll set held ${fmt(sy.epollTagged, 0)} fds: both of every session's) holds ${n.toLocaleString('en-US')} client connections to an origin, ` +
      `each of which has carried one request and its 129-byte answer and is now idle. Per connection = (proxy memory with them open − the same proxy idle after ${WARMUP} warm-up connections came and went) / ${n.toLocaleString('en-US')}. ` +
      `Clients and origin are other processes. Bytes; median (min–max) over the rounds.` +
      (limited ? ` Issue 3 asks for ${TARGET_CONNS.toLocaleString('en-US')}: this sandbox's RLIMIT_NOFILE is ${limit} and cannot be raised (no CAP_SYS_RESOURCE), and a proxy needs 2 fds per connection plus its own, so ${n.toLocaleString('en-US')} is the most it can hold.` : ''),
    '',
    `| proxy | RSS / conn | vs HAProxy | Pss / conn | private / conn | target ≤ ${TARGET_BYTES} B |`,
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.proxy} | ${cell(r.rssPerConn)} | ${ratio(r.rssPerConn.median, ha?.rssPerConn.median)} | ${cell(r.pssPerConn)} | ${cell(r.privatePerConn)} | ${r.rssPerConn.median <= TARGET_BYTES ? '✅' : '❌'} ${kib(r.rssPerConn.median)} |`),
    '',
    'Kernel memory, not in any RSS and machine-wide (the four sockets of a proxied connection: client, the proxy\'s two, origin; a socket\'s kernel objects are the same whoever holds it, so about half is the proxy\'s). ' +
      `Slab: ${SOCKET_SLABS.join(', ')} from /proc/slabinfo; buffers: \`TCP: mem\` of /proc/net/sockstat.`,
    '',
    '| while measuring | slab / conn | TCP buffers / conn |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.proxy} | ${cell(r.kernelSlabPerConn)} | ${cell(r.kernelTcpBufPerConn)} |`),
    '',
  ].join('\n');
  writeFileSync(join(RESULTS, 'idle-memory.md'), md);
  process.stdout.write(md);
}

if (process.argv[2] === 'clients') {
  void clients(Number(process.argv[3]), Number(process.argv[4]));
} else {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
