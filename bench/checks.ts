// What health checking costs: 500 servers checked every 100 ms (5,000 checks a second), TCP
// connect checks and `option httpchk` checks, Switchyard beside HAProxy 2.6 on the same
// configuration and the same pinned CPU. The check target lives in this process on the load
// CPU and counts the checks it receives, so a proxy that skipped checks would show it.
//
//   npm run bench:checks [-- --seconds 10] [--servers 500] [--inter 100]
//
// Results: bench/results/checks.json and checks.md. Issue 5's target: < 10% of one core.
//
// Where the kernel's work lands matters here more than anywhere: on loopback, the receiving
// side of every packet is processed on the sending CPU, so the proxy's CPU also pays for the
// target's half of each handshake. With root and `ip`, each run happens in a private network
// namespace (created and deleted here), twice: plain loopback, and loopback with RPS steering
// receive processing to the target's CPU, as a NIC spreads it on a real host, so the proxy
// pays for its own side only. The namespace also gives exact SYN counts (TcpActiveOpens).

import net from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROXIES, startProxy, type ProxyId } from './lib/proxies.js';
import { commandLine, facts, pinningPlan } from './lib/machine.js';
import { pinSelf, hasCommand } from './lib/child.js';
import { freePort } from './lib/proc.js';

type CheckKind = 'tcp' | 'http';

interface Options {
  seconds: number;
  servers: number;
  inter: number;
}

/** Where a run happens: the current namespace, or a private one without / with RPS on lo. */
type Net = 'host' | 'lo' | 'lo-rps';

const NET_LABEL: Record<Net, string> = {
  host: 'loopback (shared namespace)',
  lo: 'loopback',
  'lo-rps': 'loopback, RPS to the target CPU',
};

function parseArgs(argv: readonly string[]): Options {
  const num = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : dflt;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag} expects a positive number`);
    return v;
  };
  return { seconds: num('--seconds', 10), servers: num('--servers', 500), inter: num('--inter', 100) };
}

/** The check target: counts connections; answers HTTP checks 200 and closes. */
function startTarget(kind: CheckKind): Promise<{ port: number; count: () => number; close: () => void }> {
  let n = 0;
  const reply = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  const srv = net.createServer((c) => {
    n++;
    c.on('error', () => undefined);
    if (kind === 'tcp') {
      c.resume();
      c.on('end', () => c.end());
      return;
    }
    let got = '';
    c.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) c.end(reply);
    });
  });
  srv.maxConnections = 100_000;
  return new Promise((resolve) =>
    srv.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
      const port = (srv.address() as net.AddressInfo).port;
      resolve({ port, count: () => n, close: () => srv.close() });
    }),
  );
}

function config(kind: CheckKind, o: Options, listen: number, target: number): string {
  const lines = [
    'global',
    '    nbthread 1',
    '',
    'defaults',
    `    mode ${kind}`,
    '    timeout connect 1s',
    '    timeout client 30s',
    '    timeout server 30s',
    '    timeout check 1s',
    '',
    'frontend fe',
    `    bind 127.0.0.1:${listen}`,
    '    default_backend be',
    '',
    'backend be',
    ...(kind === 'http' ? ['    option httpchk GET /health'] : []),
  ];
  for (let i = 0; i < o.servers; i++) lines.push(`    server s${i} 127.0.0.1:${target} check inter ${o.inter}`);
  return lines.join('\n') + '\n';
}

interface Row {
  proxy: string;
  net: Net;
  kind: CheckKind;
  cpuPercent: number;
  checksPerSecond: number;
  /** Connections the proxy opened per second (TcpActiveOpens), in a private namespace. */
  synsPerSecond: number | null;
  cpuUsPerCheck: number;
}

/** TcpActiveOpens of this network namespace (only the proxy opens connections in it). */
function activeOpens(): number | null {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Tcp:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    const v = Number(values[names.indexOf('ActiveOpens')]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

async function measure(id: ProxyId, kind: CheckKind, o: Options, cpus: string, dir: string, net: Net): Promise<Row> {
  const target = await startTarget(kind);
  const listen = await freePort();
  const running = await startProxy(PROXIES[id], { haproxy: config(kind, o, listen, target.port), port: listen }, cpus, join(dir, `${id}-${kind}`));
  try {
    // Checks start spread over the first interval; let them settle.
    await sleep(Math.max(2000, o.inter * 10));
    const c0 = running.cpuSeconds();
    const n0 = target.count();
    const s0 = net === 'host' ? null : activeOpens();
    const t0 = process.hrtime.bigint();
    await sleep(o.seconds * 1000);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = running.cpuSeconds() - c0;
    const checks = target.count() - n0;
    const s1 = s0 === null ? null : activeOpens();
    return {
      proxy: PROXIES[id].label,
      net,
      kind,
      cpuPercent: Math.round((1000 * cpu) / wall) / 10,
      checksPerSecond: Math.round(checks / wall),
      synsPerSecond: s0 === null || s1 === null ? null : Math.round((s1 - s0) / wall),
      // Per check run: the connections the proxy opened where the namespace counts them (a
      // check is rescheduled `inter` after it ends, so slow answers lower the rate), else at
      // the configured rate. What the target accepted is a cross-check only: a TCP check
      // reset before its handshake completes is never accepted.
      cpuUsPerCheck: Math.round((cpu * 1e7) / (s0 !== null && s1 !== null && s1 > s0 ? s1 - s0 : ((o.servers * 1000) / o.inter) * wall)) / 10,
    };
  } finally {
    await running.stop();
    target.close();
  }
}

/** The measurements for one network setting, in this process's namespace. */
async function runAll(o: Options, net: Net): Promise<Row[]> {
  const pin = pinningPlan();
  pinSelf(pin.loadCpus);
  const proxies: ProxyId[] = hasCommand('/usr/sbin/haproxy') ? ['haproxy', 'switchyard'] : ['switchyard'];
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-checks-'));
  const rows: Row[] = [];
  try {
    for (const kind of ['tcp', 'http'] as const) {
      for (const id of proxies) {
        process.stdout.write(`${NET_LABEL[net]}: ${PROXIES[id].label}, ${kind} checks: ${o.servers} servers every ${o.inter} ms, ${o.seconds} s … `);
        const r = await measure(id, kind, o, pin.proxyCpus, dir, net);
        rows.push(r);
        const syns = r.synsPerSecond === null ? '' : `, ${r.synsPerSecond} connects/s`;
        console.log(`${r.cpuPercent}% of one core${syns}, ${r.checksPerSecond} accepted/s, ${r.cpuUsPerCheck} CPU-µs per check`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const sh = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/**
 * Each setting in its own private namespace: this script again, inside `ip netns exec`, its
 * rows coming back through a file. Falls back to the current namespace without root or `ip`.
 */
function inNamespaces(argv: readonly string[]): Row[] | null {
  if (process.getuid?.() !== 0 || !hasCommand('ip')) return null;
  const rows: Row[] = [];
  const cpuMask = (1 << Number(pinningPlan().loadCpus.split(/[,-]/)[0])).toString(16);
  for (const net of ['lo', 'lo-rps'] as const) {
    const ns = `sy-bench-${process.pid}`;
    if (!sh('ip', ['netns', 'add', ns])) return null;
    const file = join(tmpdir(), `${ns}-${net}.json`);
    try {
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      // `ip netns exec` mounts the namespace's own /sys: this is its lo, not the host's.
      const rps = net === 'lo-rps' ? cpuMask : '0';
      if (!sh('ip', ['netns', 'exec', ns, 'sh', '-c', `echo ${rps} > /sys/class/net/lo/queues/rx-0/rps_cpus`])) throw new Error('cannot set rps_cpus on lo');
      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), ...argv, '--inside', net, '--rows', file], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`the ${net} run failed`);
      rows.push(...(JSON.parse(readFileSync(file, 'utf8')) as Row[]));
    } finally {
      sh('ip', ['netns', 'del', ns]);
      rmSync(file, { force: true });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parseArgs(argv);
  const inside = argv.indexOf('--inside');
  if (inside >= 0) {
    const rows = await runAll(o, argv[inside + 1] as Net);
    writeFileSync(argv[argv.indexOf('--rows') + 1]!, JSON.stringify(rows));
    return;
  }
  const pin = pinningPlan();
  const rows = inNamespaces(argv) ?? (await runAll(o, 'host'));
  const command = commandLine('dist/bench/checks.js', argv);
  const result = { bench: 'checks', ...facts({ command, pin, quick: false, rounds: 1, seconds: o.seconds }), servers: o.servers, interMs: o.inter, targetPercent: 10, rows };
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'checks.json'), JSON.stringify(result, null, 2) + '\n');
  const ha = (r: Row): Row | undefined => rows.find((x) => x.kind === r.kind && x.net === r.net && x.proxy === PROXIES.haproxy.label);
  const md = [
    `# Health check cost`,
    '',
    `${o.servers} servers checked every ${o.inter} ms (${Math.round((o.servers * 1000) / o.inter)} checks/s expected), each proxy alone on CPU ${pin.proxyCpus}, the check target on CPU ${pin.loadCpus}. ` +
      `CPU from /proc over ${o.seconds} s after a settling period; CPU per check divides it by the checks run (connects/s). Issue 5's target: under 10% of one core. ` +
      `The target is one Node process: with RPS it also carries all of lo's receive processing, and HTTP checks can saturate its CPU (then fewer than the configured checks run, for both proxies).`,
    '',
    'Each setting runs in a private network namespace. "loopback": the kernel processes both ends of every packet on the sending CPU, so the proxy is also charged for the target\'s half of each handshake. ' +
      '"RPS to the target CPU": lo\'s receive processing is steered to the target\'s CPU (as a NIC with RSS/RPS spreads it), so the proxy pays for its own side only. ' +
      '"connects/s" counts the connections the proxy opened (TcpActiveOpens of the namespace); "accepted/s" what the target accepted: a TCP check that holds back the handshake\'s last ACK and resets (HAProxy, and Switchyard\'s native prober) is never accepted.',
    '',
    `Run: \`${command}\` — ${result.date}, ${result.cpu} (${result.cores} cores), Node ${result.node}.`,
    '',
    '| network | proxy | checks | CPU (% of one core) | connects/s | accepted/s | CPU-µs per check | vs HAProxy |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const h = ha(r);
      const ratio = h && h.cpuUsPerCheck > 0 ? `${(r.cpuUsPerCheck / h.cpuUsPerCheck).toFixed(2)}×` : '—';
      return `| ${NET_LABEL[r.net]} | ${r.proxy} | ${r.kind === 'tcp' ? 'TCP connect' : 'option httpchk'} | ${r.cpuPercent}% | ${r.synsPerSecond ?? '—'} | ${r.checksPerSecond} | ${r.cpuUsPerCheck} | ${ratio} |`;
    }),
    '',
  ].join('\n');
  writeFileSync(join(out, 'checks.md'), md);
  console.log(`results: ${join(out, 'checks.md')} (+ checks.json)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
