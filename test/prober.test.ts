// The native health-check prober (native/prober.cc) against real sockets on loopback: a
// probe to a listener connects without the listener ever accepting, a closed port is refused,
// sockets are reused from probe to probe, abort() and close() silence what they cancel.
// Skipped when the addon is not built.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { getSystemErrorName } from 'node:util';
import { loadAddon, PROBE, type Prober } from '../src/native/addon.js';
import { freePort } from './helpers/net.js';

const addon = loadAddon();
const skip = addon === undefined ? 'native addon not built' : false;

/** A prober whose results resolve per-fd promises. */
function harness(): {
  prober: Prober;
  probe(host: string, port: number, family: 4 | 6): Promise<string | null>;
  results: (number | Buffer)[][];
  streams: Map<number, (kind: number, value: number | Buffer) => void>;
  jobs: Map<number, (kind: number, errno: number, durationMs: number) => void>;
} {
  const waiting = new Map<number, (code: string | null) => void>();
  const streams = new Map<number, (kind: number, value: number | Buffer) => void>();
  const jobs = new Map<number, (kind: number, errno: number, durationMs: number) => void>();
  const results: (number | Buffer)[][] = [];
  const prober = addon!.createProber((r) => {
    results.push(r);
    for (let i = 0; i < r.length; i += 4) {
      const fd = r[i] as number;
      if (r[i + 1] === PROBE.JOB_DONE || r[i + 1] === PROBE.JOB_TIMEOUT) {
        jobs.get(fd)?.(r[i + 1] as number, r[i + 2] as number, r[i + 3] as number);
        continue;
      }
      if (r[i + 1] !== PROBE.DONE) {
        streams.get(fd)?.(r[i + 1] as number, r[i + 2]!);
        continue;
      }
      const done = waiting.get(fd);
      waiting.delete(fd);
      const err = r[i + 2] as number;
      done?.(err === 0 ? null : getSystemErrorName(-err));
    }
  });
  return {
    prober,
    results,
    streams,
    jobs,
    probe(host, port, family) {
      const fd = prober.probe(host, port, family);
      if (fd < 0) return Promise.resolve(getSystemErrorName(fd));
      return new Promise((resolve) => waiting.set(fd, resolve));
    },
  };
}

/** A listener that records the client port of each connection it accepts. */
async function listener(host = '127.0.0.1'): Promise<{ server: net.Server; port: number; peers: number[] }> {
  const peers: number[] = [];
  const server = net.createServer((c) => {
    peers.push(c.remotePort ?? 0);
    c.on('error', () => undefined);
    server.emit('peer');
  });
  server.listen(0, host);
  await once(server, 'listening');
  return { server, port: (server.address() as net.AddressInfo).port, peers };
}

test('a probe connects, the listener never accepts it, and its socket serves the next probe', { skip }, async (t) => {
  const h = harness();
  const l = await listener();
  t.after(() => {
    h.prober.close();
    l.server.close();
  });
  for (let i = 0; i < 5; i++) assert.equal(await h.probe('127.0.0.1', l.port, 4), null);
  assert.deepEqual(await Promise.all([1, 2, 3].map(() => h.probe('127.0.0.1', l.port, 4))), [null, null, null]);
  const s = h.prober.stats();
  assert.equal(s.inFlight, 0);
  assert.ok(s.reused >= 4, `sequential probes reuse one socket (created ${s.created}, reused ${s.reused})`);
  assert.ok(s.created <= 4, `at most one socket per concurrent probe (created ${s.created})`);
  assert.ok(s.idle >= 1);
  // A plain connection after the probes: the accept queue is FIFO, so once it is accepted,
  // any probe that had reached the queue has been accepted before it. Through net.Socket all
  // 8 would have been. One is tolerated: a probe whose result waits past the 40 ms
  // delayed-ACK timer (a machine stalled by other tests) lets its ACK out.
  const plain = net.connect(l.port, '127.0.0.1');
  await once(plain, 'connect');
  const mine = plain.localPort;
  while (!l.peers.includes(mine!)) await once(l.server, 'peer');
  plain.destroy();
  assert.ok(l.peers.length <= 2, `the listener accepted ${l.peers.length - 1} probes`);
});

test('a closed port is refused; IPv6 probes use their own sockets', { skip }, async (t) => {
  const h = harness();
  const port = await freePort();
  const l6 = await listener('::1').catch(() => null);
  t.after(() => {
    h.prober.close();
    l6?.server.close();
  });
  assert.equal(await h.probe('127.0.0.1', port, 4), 'ECONNREFUSED');
  assert.equal(await h.probe('127.0.0.1', port, 4), 'ECONNREFUSED', 'a refused socket is not reused broken');
  if (l6) {
    assert.equal(await h.probe('::1', l6.port, 6), null);
    assert.equal(await h.probe('::1', l6.port, 6), null);
  }
  assert.throws(() => h.prober.probe('localhost', port, 4), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => h.prober.probe('::1', port, 4), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('abort() forgets a probe under way; close() ends all of them with no result', { skip }, async (t) => {
  const h = harness();
  const l = await listener();
  t.after(() => l.server.close());
  // Results are harvested on a later loop turn, so a probe aborted at once is still under way.
  const fd = h.prober.probe('127.0.0.1', l.port, 4);
  assert.ok(fd >= 0);
  assert.equal(h.prober.stats().inFlight, 1);
  assert.equal(h.prober.abort(fd), true);
  assert.equal(h.prober.abort(fd), false, 'a second abort finds nothing');
  assert.equal(h.prober.stats().inFlight, 0);
  assert.equal(await h.probe('127.0.0.1', l.port, 4), null);
  assert.equal(h.results.flat().length, 4, `only the second probe is reported: ${JSON.stringify(h.results)}`);
  // close(): a probe under way is dropped silently, later probes fail with EBADF.
  h.prober.probe('127.0.0.1', l.port, 4);
  h.prober.close();
  h.prober.close();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(h.results.flat().length, 4, 'nothing reported after close()');
  assert.equal(getSystemErrorName(h.prober.probe('127.0.0.1', l.port, 4)), 'EBADF');
  assert.deepEqual(h.prober.stats(), { inFlight: 0, idle: 0, created: 0, reused: 0, streams: 0 });
});

test('a stream connects, writes, reads the answer and the end, and closes with a reset or a FIN', { skip }, async (t) => {
  const h = harness();
  // How each server-side connection ended, by arrival order (the runs below are sequential).
  const ends = new Map<number, string>();
  let conns = 0;
  const ended = async (i: number): Promise<string> => {
    while (!ends.has(i)) await new Promise((r) => setImmediate(r));
    return ends.get(i)!;
  };
  const server = net.createServer((c) => {
    const i = conns++;
    c.on('error', (e: NodeJS.ErrnoException) => ends.set(i, e.code ?? 'error'));
    c.on('end', () => ends.set(i, 'fin'));
    c.once('data', (d) => {
      // An answer bigger than one read, then the server's FIN: all of it arrives, then END.
      if (String(d) === 'ping') c.end(Buffer.alloc(100_000, 'x'));
      else c.write(`echo:${d}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  t.after(() => {
    h.prober.close();
    server.close();
  });
  const run = (sendFirst: boolean, text: string, until: (got: string, ended: boolean) => boolean): Promise<{ fd: number; got: string; ended: boolean; kinds: number[] }> =>
    new Promise((resolve, reject) => {
      const fd = h.prober.open('127.0.0.1', port, 4, sendFirst);
      if (fd < 0) return reject(new Error(getSystemErrorName(fd)));
      let got = '';
      let ended = false;
      const kinds: number[] = [];
      h.streams.set(fd, (kind, value) => {
        kinds.push(kind);
        if (kind === PROBE.CONNECTED) assert.equal(h.prober.write(fd, Buffer.from(text)), 0);
        else if (kind === PROBE.DATA) got += String(value);
        else if (kind === PROBE.END) ended = true;
        else if (kind === PROBE.ERROR) return reject(new Error(getSystemErrorName(-(value as number))));
        if (until(got, ended)) resolve({ fd, got, ended, kinds });
      });
    });
  const big = await run(true, 'ping', (_g, ended) => ended);
  assert.equal(big.got.length, 100_000);
  assert.equal(big.kinds[0], PROBE.CONNECTED);
  assert.equal(big.kinds.at(-1), PROBE.END);
  assert.equal(h.prober.write(big.fd, Buffer.from('after the end')), 0, 'half-closed: still writable');
  assert.equal(h.prober.closeStream(big.fd, false), true);
  assert.equal(h.prober.closeStream(big.fd, false), false, 'closed once');
  assert.equal(await ended(0), 'fin');
  // Closing with a reset: the server sees ECONNRESET, not a FIN.
  const echo = await run(false, 'hello', (g) => g === 'echo:hello');
  h.prober.closeStream(echo.fd, true);
  assert.equal(await ended(1), 'ECONNRESET');
  const fin = await run(false, 'bye', (g) => g === 'echo:bye');
  h.prober.closeStream(fin.fd, false);
  assert.equal(await ended(2), 'fin');
  assert.equal(h.prober.stats().streams, 0);
  // A refused stream reports ERROR; writing before the connect completed is refused.
  const refused = h.prober.open('127.0.0.1', await freePort(), 4, true);
  assert.equal(getSystemErrorName(h.prober.write(refused, Buffer.from('x'))), 'ENOTCONN');
  const err = await new Promise<number | Buffer>((resolve) => h.streams.set(refused, (kind, value) => kind === PROBE.ERROR && resolve(value)));
  assert.equal(getSystemErrorName(-(err as number)), 'ECONNREFUSED');
  h.prober.closeStream(refused, true);
});

test('scheduled jobs: arm starts a probe after its delay, one result each (connected, refused, timed out), disarm and dropJob cancel', { skip }, async (t) => {
  const h = harness();
  const l = await listener();
  const closedPort = await freePort();
  // A listener nobody accepts from, its accept queue (backlog 0) filled by one connection:
  // the kernel drops further SYNs, so a probe to it can only time out.
  const full = addon!.createListener({ host: '127.0.0.1', port: 0, family: 4, backlog: 0 });
  const fullPort = addon!.localPort(full);
  const filler = net.connect(fullPort, '127.0.0.1');
  await once(filler, 'connect');
  t.after(() => {
    h.prober.close();
    l.server.close();
    filler.destroy();
    addon!.close(full);
  });
  const next = (job: number): Promise<{ kind: number; errno: number; durationMs: number }> =>
    new Promise((resolve) => h.jobs.set(job, (kind, errno, durationMs) => resolve({ kind, errno, durationMs })));
  h.prober.setJob(0, '127.0.0.1', l.port, 4);
  h.prober.setJob(1, '127.0.0.1', closedPort, 4);
  h.prober.setJob(7, '127.0.0.1', fullPort, 4);
  // Results come in the order of the delays, not of the calls.
  const order: number[] = [];
  const all = Promise.all([0, 1, 7].map((j) => next(j).then((r) => (order.push(j), r))));
  h.prober.arm(7, 0, 150);
  h.prober.arm(1, 60, 1000);
  h.prober.arm(0, 30, 1000);
  const [ok, refused, late] = await all;
  assert.deepEqual(order, [0, 1, 7]);
  assert.deepEqual({ kind: ok.kind, errno: ok.errno }, { kind: PROBE.JOB_DONE, errno: 0 });
  assert.deepEqual({ kind: refused.kind, code: getSystemErrorName(-refused.errno) }, { kind: PROBE.JOB_DONE, code: 'ECONNREFUSED' });
  assert.equal(late.kind, PROBE.JOB_TIMEOUT);
  assert.ok(late.durationMs >= 150, `the timeout ran its course (${late.durationMs} ms)`);
  assert.equal(h.prober.stats().inFlight, 0, 'the timed-out probe was closed');
  // A job re-armed before it ran reports once, on the second schedule; a disarmed one not at all.
  let reports = 0;
  h.jobs.set(0, () => reports++);
  h.prober.arm(0, 10_000, 1000);
  h.prober.arm(0, 20, 1000);
  h.prober.arm(1, 20, 1000);
  assert.equal(h.prober.disarm(1, false), true);
  assert.equal(h.prober.disarm(1, false), false, 'nothing left to cancel');
  const again = next(7);
  h.prober.arm(7, 40, 1000);
  h.prober.setJob(7, '127.0.0.1', l.port, 4);
  assert.deepEqual(await again.then((r) => [r.kind, r.errno]), [PROBE.JOB_DONE, 0], 'the new address is probed');
  assert.equal(reports, 1);
  // disarm(all) cancels a probe under way; dropJob forgets the job.
  h.jobs.set(7, () => assert.fail('a cancelled probe reported'));
  h.prober.setJob(7, '127.0.0.1', fullPort, 4);
  h.prober.arm(7, 0, 5000);
  while (h.prober.stats().inFlight === 0) await new Promise((r) => setImmediate(r));
  assert.equal(h.prober.disarm(7, true), true);
  assert.equal(h.prober.stats().inFlight, 0);
  h.prober.dropJob(7);
  assert.throws(() => h.prober.arm(7, 0, 100), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => h.prober.arm(-1, 0, 100), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => h.prober.setJob(3, 'localhost', 80, 4), { code: 'ERR_INVALID_ARG_VALUE' });
  // Nothing is armed: no report arrives and the timer keeps nothing alive.
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(reports, 1);
});
