// What health checking costs: 500 servers checked every 100 ms (5,000 checks a second), TCP
// connect checks and `option httpchk` checks, Switchyard beside HAProxy 2.6 on the same
// configuration and the same pinned CPU. The check target lives in this process on the load
// CPU and counts the checks it receives, so a proxy that skipped checks would show it.
//
//   npm run bench:checks [-- --seconds 10] [--servers 500] [--inter 100]
//
// Results: bench/results/checks.json and checks.md. Issue 5's target: < 10% of one core.

import net from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  kind: CheckKind;
  cpuPercent: number;
  checksPerSecond: number;
  cpuUsPerCheck: number;
}

async function measure(id: ProxyId, kind: CheckKind, o: Options, cpus: string, dir: string): Promise<Row> {
  const target = await startTarget(kind);
  const listen = await freePort();
  const running = await startProxy(PROXIES[id], { haproxy: config(kind, o, listen, target.port), port: listen }, cpus, join(dir, `${id}-${kind}`));
  try {
    // Checks start spread over the first interval; let them settle.
    await sleep(Math.max(2000, o.inter * 10));
    const c0 = running.cpuSeconds();
    const n0 = target.count();
    const t0 = process.hrtime.bigint();
    await sleep(o.seconds * 1000);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = running.cpuSeconds() - c0;
    const checks = target.count() - n0;
    return {
      proxy: PROXIES[id].label,
      kind,
      cpuPercent: Math.round((1000 * cpu) / wall) / 10,
      checksPerSecond: Math.round(checks / wall),
      // Per check at the configured rate: a TCP check that HAProxy resets at once is never
      // accepted by the target, so what the target counts is only a cross-check.
      cpuUsPerCheck: Math.round((cpu * 1e7) / (((o.servers * 1000) / o.inter) * wall)) / 10,
    };
  } finally {
    await running.stop();
    target.close();
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const pin = pinningPlan();
  pinSelf(pin.loadCpus);
  const proxies: ProxyId[] = hasCommand('/usr/sbin/haproxy') ? ['haproxy', 'switchyard'] : ['switchyard'];
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-checks-'));
  const rows: Row[] = [];
  try {
    for (const kind of ['tcp', 'http'] as const) {
      for (const id of proxies) {
        process.stdout.write(`${PROXIES[id].label}, ${kind} checks: ${o.servers} servers every ${o.inter} ms, ${o.seconds} s … `);
        const r = await measure(id, kind, o, pin.proxyCpus, dir);
        rows.push(r);
        console.log(`${r.cpuPercent}% of one core, ${r.checksPerSecond} checks/s, ${r.cpuUsPerCheck} CPU-µs per check`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const command = commandLine('dist/bench/checks.js', process.argv.slice(2));
  const result = { bench: 'checks', ...facts({ command, pin, quick: false, rounds: 1, seconds: o.seconds }), servers: o.servers, interMs: o.inter, targetPercent: 10, rows };
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'checks.json'), JSON.stringify(result, null, 2) + '\n');
  const ha = (kind: CheckKind): Row | undefined => rows.find((r) => r.kind === kind && r.proxy === PROXIES.haproxy.label);
  const md = [
    `# Health check cost`,
    '',
    `${o.servers} servers checked every ${o.inter} ms (${Math.round((o.servers * 1000) / o.inter)} checks/s expected), each proxy alone on CPU ${pin.proxyCpus}, the check target on CPU ${pin.loadCpus} counting the checks it receives. ` +
      `CPU from /proc over ${o.seconds} s after a settling period; CPU per check is at the configured rate. "checks/s received" is what the target accepted: HAProxy resets a TCP check connection at once, often before the target's accept, so it undercounts there. Issue 5's target: under 10% of one core.`,
    '',
    `Run: \`${command}\` — ${result.date}, ${result.cpu} (${result.cores} cores), Node ${result.node}.`,
    '',
    '| proxy | checks | CPU (% of one core) | checks/s received | CPU-µs per check | vs HAProxy |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const h = ha(r.kind);
      const ratio = h && h.cpuUsPerCheck > 0 ? `${(r.cpuUsPerCheck / h.cpuUsPerCheck).toFixed(2)}×` : '—';
      return `| ${r.proxy} | ${r.kind === 'tcp' ? 'TCP connect' : 'option httpchk'} | ${r.cpuPercent}% | ${r.checksPerSecond} | ${r.cpuUsPerCheck} | ${ratio} |`;
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
