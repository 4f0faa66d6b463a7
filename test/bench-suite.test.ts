// The benchmark suite's own logic, without running a benchmark: the tuner's candidates,
// configuration rewrite and choice, medians over rounds, the SVG charts, and the origin's
// HTTP behaviour on real loopback sockets (keep-alive, pipelining, close, large bodies).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './helpers/net.js';
import { candidates, firstBind, recommend, retune, tunePinning, type Measured } from '../bench/lib/tune-plan.js';
import { summarise, type Sample } from '../bench/lib/results.js';
import { linearTicks, logTicks, renderChart } from '../bench/lib/svg.js';
import { withGlobals } from '../bench/lib/proxies.js';
import { spread } from '../bench/lib/stats.js';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill();
});

test('tune on 2 cores: nbthread 1 and 2 × three accept modes on CPU 1, pinning not swept', () => {
  const pin = tunePinning(2);
  assert.deepEqual(pin, { proxyCpus: '1', loadCpus: '0' });
  const list = candidates(pin, false);
  assert.equal(list.length, 6);
  assert.deepEqual(
    list.map((c) => `${c.threads}/${c.mode}/${c.cpus}/${c.cpuMap.length}`),
    ['1/shared/1/0', '1/main/1/0', '1/reuseport/1/0', '2/shared/1/0', '2/main/1/0', '2/reuseport/1/0'],
  );
  // --all-cpus adds the placements sharing CPU 0; pinning differs only with more threads than proxy CPUs.
  const all = candidates(pin, true);
  assert.equal(all.length, 15);
  assert.deepEqual(all.find((c) => c.placement === 'all-cpus-pinned')?.cpuMap, ['cpu-map 1/1 1', 'cpu-map 1/2 0']);
});

test('tune on 8 cores: threads 1..7 on CPUs 1-7, with and without cpu-map', () => {
  const list = candidates(tunePinning(8), false);
  assert.equal(list.length, 7 * 3 * 2);
  const pinned = list.find((c) => c.threads === 3 && c.placement === 'proxy-cpus-pinned')!;
  assert.equal(pinned.cpus, '1-7');
  assert.deepEqual(pinned.cpuMap, ['cpu-map 1/1 1', 'cpu-map 1/2 2', 'cpu-map 1/3 3']);
});

test('retune replaces nbthread, cpu-map and accept mode in global only', () => {
  const cfg = ['global', '    nbthread 4', '    cpu-map 1/1 0', '    maxconn 100', '', 'frontend fe', '    bind :8080', '    # nbthread 9 in a comment stays', ''].join('\n');
  const c = candidates(tunePinning(2), true).find((x) => x.threads === 2 && x.mode === 'main' && x.placement === 'all-cpus-pinned')!;
  const out = retune(cfg, c);
  assert.match(out, /^global\n {4}nbthread 2\n {4}switchyard\.accept-mode main\n {4}cpu-map 1\/1 1\n {4}cpu-map 1\/2 0\n {4}maxconn 100\n/);
  assert.doesNotMatch(out, /nbthread 4|cpu-map 1\/1 0/);
  assert.match(out, /# nbthread 9 in a comment stays/);
  // No global section: one is added on top.
  assert.match(withGlobals('defaults\n    mode http\n', ['nbthread 1']), /^global\n {4}nbthread 1\n\ndefaults/);
});

test('firstBind finds the first frontend/listen bind, skipping other sections', () => {
  assert.deepEqual(firstBind('global\n    stats socket :9999\nbackend b\n    server s 1.2.3.4:80\nlisten l\n    bind *:8081\n'), { port: 8081, tls: false });
  assert.deepEqual(firstBind('frontend f\n    bind ipv4@127.0.0.1:8443 ssl crt x.pem\n'), { port: 8443, tls: true });
  assert.equal(firstBind('backend b\n    server s 1.2.3.4:80\n'), undefined);
});

function measured(threads: number, mode: 'shared' | 'main' | 'reuseport', rate: number, cpu: number, errors = 0): Measured {
  const c = candidates(tunePinning(2), false).find((x) => x.threads === threads && x.mode === mode)!;
  return { candidate: c, rate: spread([rate]), cpuUsPerReq: spread([cpu]), p99Us: 1000, errors };
}

test('recommend: best throughput; within 5% the cheaper, then the simpler; errors disqualify', () => {
  // 2/main is fastest but 1/shared is within 5% and cheaper.
  let r = recommend([measured(2, 'main', 10_000, 80), measured(1, 'shared', 9_700, 60), measured(1, 'main', 9_000, 50)]);
  assert.equal(r.best.candidate.threads, 1);
  assert.equal(r.best.candidate.mode, 'shared');
  assert.equal(r.tied.length, 2);
  // Within 5% on CPU as well: the simpler setting (fewer threads, default mode) wins.
  r = recommend([measured(1, 'reuseport', 10_000, 60), measured(1, 'shared', 9_900, 62)]);
  assert.equal(r.best.candidate.mode, 'shared');
  // A candidate with errors is not recommended while one without exists.
  r = recommend([measured(2, 'main', 20_000, 40, 3), measured(1, 'shared', 9_000, 60)]);
  assert.equal(r.best.candidate.mode, 'shared');
});

test('summarise: medians over undisturbed rounds (all rounds if every one was disturbed), latency per percentile', () => {
  const sample = (round: number, requests: number, cpuS: number, p99: number): Sample => ({
    round,
    proxy: 'haproxy',
    label: 'haproxy 2.6',
    threads: 1,
    phase: 'ceiling',
    load: { requests, errors: 0, bytes: requests * 100, seconds: 1, latencyUs: { '50': 100, '99': p99 } },
    cpuS,
    wallS: 1,
    foreignS: 0,
    attempts: 1,
    disturbed: round === 2,
  });
  const [row] = summarise([sample(0, 1000, 0.02, 300), sample(1, 3000, 0.03, 100), sample(2, 9000, 0.05, 900)]);
  assert.equal(row!.of, 3);
  assert.equal(row!.rounds, 2);
  assert.equal(row!.disturbed, 1);
  assert.deepEqual(row!.rate, { median: 2000, min: 1000, max: 3000 });
  assert.equal(row!.cpuUsPerUnit.median, 15); // 20 and 10 µs per request; round 2 left out
  assert.equal(row!.latencyUs!['99'], 200);
  const [all] = summarise([2, 2, 2].map((r, i) => ({ ...sample(i, 1000 * (i + 1), 0.01, 100), disturbed: r === 2 })));
  assert.equal(all!.rounds, 3);
  assert.equal(all!.disturbed, 3);
  assert.equal(all!.rate.median, 2000);
});

test('charts: axes, units and machine in the SVG; ticks cover the data', () => {
  assert.deepEqual(
    logTicks(0.1, 10, String).map((t) => t.at),
    [0.1, 0.2, 0.5, 1, 2, 5, 10],
  );
  const lin = linearTicks(43_338, 5, String);
  assert.ok(lin.top >= 43_338);
  assert.equal(lin.ticks[0]!.at, 0);
  const svg = renderChart({
    title: 'Throughput <&> threads',
    subtitle: 'sub',
    footer: ['Machine: AMD EPYC (2 cores)'],
    panels: [
      {
        title: 'p',
        x: { label: 'threads', log: false, min: 0.75, max: 2.25, ticks: [{ at: 1, label: '1' }, { at: 2, label: '2' }] },
        y: { label: 'requests per second', log: false, min: 0, max: lin.top, ticks: lin.ticks },
        series: [{ name: 'switchyard', color: '#d62728', points: [{ x: 1, y: 16_000 }, { x: 2, y: 15_000 }] }],
      },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /Throughput &lt;&amp;&gt; threads/);
  for (const text of ['requests per second', '>threads<', 'Machine: AMD EPYC (2 cores)', '<polyline', '>switchyard<']) assert.ok(svg.includes(text), text);
});

async function startOrigin(): Promise<number> {
  const port = await freePort();
  const p = spawn(process.execPath, [fileURLToPath(new URL('../bench/peers/origin.js', import.meta.url)), String(port), '4096'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(p);
  const [line] = (await once(createInterface({ input: p.stdout! }), 'line')) as [string];
  assert.equal(line, `ready ${port}`);
  return port;
}

/** Sends `req`, then reads until `done(received)` says so (or the server closes). */
async function exchange(port: number, req: string, done: (got: string) => boolean): Promise<{ got: string; closed: boolean }> {
  const c = net.connect({ port, host: '127.0.0.1' });
  await once(c, 'connect');
  c.write(req);
  let got = '';
  let closed = false;
  await new Promise<void>((resolve) => {
    c.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (done(got)) resolve();
    });
    c.on('close', () => {
      closed = true;
      resolve();
    });
  });
  c.destroy();
  return { got, closed };
}

test('origin: pipelined keep-alive answered in order, close honoured, large bodies by path', async () => {
  const port = await startOrigin();
  const count = (s: string): number => s.split('HTTP/1.1 200 OK').length - 1;
  const two = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n', (g) => count(g) === 2 && g.endsWith('\n'));
  assert.equal(count(two.got), 2);
  assert.equal(two.closed, false);
  assert.match(two.got, /Content-Length: 64\r\n\r\nx{63}\n/);
  const close = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', () => false);
  assert.ok(close.closed);
  assert.match(close.got, /Connection: close\r\n/);
  const http10 = await exchange(port, 'GET / HTTP/1.0\r\n\r\n', () => false);
  assert.ok(http10.closed);
  const large = await exchange(port, 'GET /large HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', () => false);
  assert.match(large.got, /Content-Length: 4096\r\n/);
  assert.equal(large.got.length - large.got.indexOf('\r\n\r\n') - 4, 4096);
  // A request body (Content-Length) is skipped, not parsed as a request.
  const body = await exchange(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\nGET /no HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n', (g) => count(g) === 2);
  assert.equal(count(body.got), 2);
});
