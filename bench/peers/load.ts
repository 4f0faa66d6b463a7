// The suite's scripted load generator, run as its own process pinned to the load core:
// autocannon driven programmatically for keep-alive traffic, and a small closed-loop client
// for one request per connection. Every response time goes into an hdr-histogram-js histogram
// in microseconds (autocannon's own keeps milliseconds, too coarse on loopback).
//
//   node load.js '<LoadSpec as JSON>'   → prints one LoadResult JSON line

import net from 'node:net';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { PERCENTILES, type LoadResult, type LoadSpec, type Percentiles } from '../lib/load-spec.js';

const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

function percentiles(): Percentiles {
  const out: Percentiles = {};
  for (const p of PERCENTILES) out[String(p)] = histogram.getValueAtPercentile(p);
  return out;
}

function viaAutocannon(spec: Extract<LoadSpec, { kind: 'autocannon' }>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `http://127.0.0.1:${spec.port}`,
        connections: spec.connections,
        duration: spec.seconds,
        timeout: 10,
        requests: spec.requests.map((r) => ({ method: r.method ?? 'GET', path: r.path, ...(r.headers ? { headers: r.headers } : {}) })),
      },
      (err, res) => {
        if (err) return reject(err);
        const answered = res.requests.total;
        resolve({
          requests: answered - res.non2xx,
          errors: res.errors + res.timeouts + res.non2xx,
          bytes: res.throughput.total,
          seconds: res.duration,
          latencyUs: percentiles(),
        });
      },
    );
    inst.on('response', (_client, status, _bytes, ms) => {
      if (status < 400) histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
    });
  });
}

/** `connections` loops of: connect, send one request with `Connection: close`, read to EOF. */
async function oneRequestPerConnection(spec: Extract<LoadSpec, { kind: 'close' }>): Promise<LoadResult> {
  const request = Buffer.from(`GET ${spec.path} HTTP/1.1\r\nHost: bench.local\r\nConnection: close\r\n\r\n`);
  let requests = 0;
  let errors = 0;
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(spec.seconds * 1e9));
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const start = process.hrtime.bigint();
      let first: Buffer | undefined;
      let got = 0;
      const c = net.connect({ port: spec.port, host: '127.0.0.1' }, () => c.write(request));
      c.setNoDelay(true);
      c.on('data', (d: Buffer) => {
        first ??= d;
        got += d.length;
      });
      c.on('error', () => undefined);
      c.on('close', () => {
        bytes += got;
        const status = first ? Number(first.toString('latin1', 9, 12)) : 0;
        if (status >= 200 && status < 400) {
          requests++;
          histogram.recordValue(Math.max(1, Math.round(Number(process.hrtime.bigint() - start) / 1000)));
        } else errors++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (process.hrtime.bigint() < deadline) await one();
    }),
  );
  return { requests, errors, bytes, seconds: Number(process.hrtime.bigint() - t0) / 1e9, latencyUs: percentiles() };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const result = await (spec.kind === 'autocannon' ? viaAutocannon(spec) : oneRequestPerConnection(spec));
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
