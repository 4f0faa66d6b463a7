// The native addon against real sockets on 127.0.0.1 (ports from binding port 0): listeners and
// SO_REUSEPORT, the accept thread, the splice forwarder (bulk transfer both ways, connect errors
// handing the client fd back, half-close, idle timeouts, abort/close, fd hygiene), CPU
// pinning from inside a worker_thread, and getrlimit/setrlimit. Synchronisation is by events
// only: no sleeps, no timing thresholds. Every test registers what it opens with a Scope,
// released in t.after(), so a failed assertion cannot leave a socket holding the event loop
// open. Skipped when the addon is not built (`npx node-gyp rebuild`).

import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';
import {
  loadAddon,
  loadError,
  nativeFeatures,
  type Acceptor,
  type AcceptorError,
  type ForwardEvent,
  type ForwardOptions,
  type ForwardTarget,
  type Forwarder,
  type ForwarderOptions,
  type ForwarderStats,
  type NativeAddon,
  type NativeSystemError,
} from '../src/native/addon.js';

const addon = loadAddon();
const LOOPBACK = '127.0.0.1';
const MB5 = 5 * 1024 * 1024;
const LOADER_URL = new URL('../src/native/addon.js', import.meta.url).href;

function native(): NativeAddon {
  if (addon === undefined) throw new Error(`addon not loaded: ${loadError() ?? '?'}`);
  return addon;
}

function isSystemError(err: unknown, code: string): err is NativeSystemError {
  return err instanceof Error && (err as Partial<NativeSystemError>).code === code;
}

/** What a test opened, released (idempotently, last first) when the test ends, pass or fail. */
class Scope {
  private readonly releases: (() => void)[] = [];

  constructor(t: TestContext) {
    t.after(() => {
      for (const release of this.releases.reverse()) {
        try {
          release();
        } catch {
          // already released by the test itself
        }
      }
    });
  }

  defer(release: () => void): void {
    this.releases.push(release);
  }

  socket<S extends net.Socket>(s: S): S {
    this.defer(() => s.destroy());
    return s;
  }

  forwarder(opts?: ForwarderOptions): Forwarder {
    const fwd = native().createForwarder(opts);
    this.defer(() => fwd.close());
    return fwd;
  }

  /** A listening fd on 127.0.0.1 (port 0 unless given), closed at the end unless `keep`. */
  listen(opts: { reusePort?: boolean; port?: number } = {}): { fd: number; port: number; close(): void } {
    const a = native();
    const fd = a.createListener({ host: LOOPBACK, port: opts.port ?? 0, family: 4, reusePort: opts.reusePort ?? false });
    let open = true;
    const close = (): void => {
      if (open) a.close(fd);
      open = false;
    };
    this.defer(close);
    return { fd, port: a.localPort(fd), close };
  }

  /** A TCP server on 127.0.0.1:0 (half-open allowed) running `onConn` per connection. */
  async server(onConn: (s: net.Socket) => void): Promise<{ target: ForwardTarget; close(): Promise<void> }> {
    const peers = new Set<net.Socket>();
    const srv = net.createServer({ allowHalfOpen: true }, (s) => {
      peers.add(s);
      s.on('close', () => peers.delete(s));
      onConn(s);
    });
    srv.listen(0, LOOPBACK);
    await once(srv, 'listening');
    const addr = srv.address();
    assert.ok(addr !== null && typeof addr === 'object');
    this.defer(() => {
      for (const p of peers) p.destroy();
      if (srv.listening) srv.close();
    });
    return {
      target: { host: LOOPBACK, port: addr.port, family: 4 },
      close: async () => {
        srv.close();
        await once(srv, 'close');
      },
    };
  }

  worker(code: string, workerData: unknown): Worker {
    const w = new Worker(code, { eval: true, workerData });
    this.defer(() => void w.terminate());
    return w;
  }
}

/** The next connection accepted on `listenFd`, as a raw fd (never wrapped in JS). */
function acceptOne(listenFd: number): Promise<number> {
  const a = native();
  return new Promise((resolve) => {
    const acceptor = a.startAcceptor(listenFd, (fds) => {
      acceptor.stop();
      const [first, ...extra] = fds;
      for (const fd of extra) a.close(fd);
      if (first !== undefined) resolve(first);
    });
  });
}

function collect(s: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return once(s, 'end').then(() => Buffer.concat(chunks));
}

interface Forwarded {
  readonly id: number;
  readonly events: ForwardEvent[];
  /** Resolves with the final event ('connect-error' or 'closed'). */
  readonly done: Promise<ForwardEvent>;
  /** Resolves on 'connected' (rejects if the connection ends first). */
  readonly connected: Promise<void>;
}

function forward(fwd: Forwarder, fd: number, target: ForwardTarget, opts: ForwardOptions): Forwarded {
  const events: ForwardEvent[] = [];
  let onDone: (ev: ForwardEvent) => void = () => {};
  let onConnected: () => void = () => {};
  let onNotConnected: (err: Error) => void = () => {};
  const done = new Promise<ForwardEvent>((resolve) => (onDone = resolve));
  const connected = new Promise<void>((resolve, reject) => {
    onConnected = resolve;
    onNotConnected = reject;
  });
  connected.catch(() => {});
  const id = fwd.connect(fd, target, opts, (ev) => {
    events.push(ev);
    if (ev.type === 'connected') {
      onConnected();
    } else {
      onNotConnected(new Error(`ended before connecting: ${JSON.stringify(ev)}`));
      onDone(ev);
    }
  });
  return { id, events, done, connected };
}

/** A client connected through a native listener; its accepted fd (never wrapped in JS). */
async function clientPair(
  scope: Scope,
  opts: { allowHalfOpen?: boolean } = {},
): Promise<{ client: net.Socket; fd: number }> {
  const lst = scope.listen();
  const client = scope.socket(net.connect({ port: lst.port, host: LOOPBACK, allowHalfOpen: opts.allowHalfOpen ?? false }));
  const fd = await acceptOne(lst.fd);
  lst.close();
  return { client, fd };
}

const TIMEOUTS: ForwardOptions = { connectTimeoutMs: 10_000, clientTimeoutMs: 60_000, serverTimeoutMs: 60_000 };

function openFds(): string[] {
  return readdirSync('/proc/self/fd').sort();
}

describe('native addon', { skip: addon === undefined ? `not built: ${loadError() ?? ''}` : false }, () => {
  test('features and affinity', () => {
    const a = native();
    const features = a.features();
    if (process.platform === 'linux') {
      assert.deepEqual([...features].sort(), ['CPU_AFFINITY', 'REUSEPORT', 'SPLICE']);
    }
    assert.deepEqual([...nativeFeatures()].sort(), [...features].sort());
    const cpus = a.getAffinity();
    assert.ok(cpus.length > 0);
    assert.ok(cpus.every((c) => Number.isInteger(c) && c >= 0));
    assert.ok(Number.isInteger(a.gettid()) && a.gettid() > 0);
  });

  test('createListener binds port 0 and localPort reads the port; dup shares the socket', (t) => {
    const a = native();
    const lst = new Scope(t).listen();
    assert.ok(lst.port > 0 && lst.port < 65536);
    const copy = a.dup(lst.fd);
    assert.notEqual(copy, lst.fd);
    assert.equal(a.localPort(copy), lst.port);
    a.close(copy);
    assert.throws(() => a.localPort(copy), (err: unknown) => isSystemError(err, 'EBADF') && err.syscall === 'getsockname');
  });

  test('SO_REUSEPORT: two listeners share a port; without it the second gets EADDRINUSE', (t) => {
    const a = native();
    const scope = new Scope(t);
    const first = scope.listen({ reusePort: true });
    const second = scope.listen({ reusePort: true, port: first.port });
    assert.equal(second.port, first.port);

    const plain = scope.listen();
    assert.throws(
      () => a.createListener({ host: LOOPBACK, port: plain.port, family: 4 }),
      (err: unknown) => {
        assert.ok(isSystemError(err, 'EADDRINUSE'));
        assert.equal(err.syscall, 'bind');
        assert.equal(getSystemErrorName(err.errno), 'EADDRINUSE');
        assert.match(err.message, /^bind EADDRINUSE: .* 127\.0\.0\.1:\d+$/);
        return true;
      },
    );
  });

  test('getrlimit/setrlimit: read, lower and restore the soft limit; refusals are system errors', () => {
    const a = native();
    const orig = a.getrlimit('nofile');
    assert.ok(Number.isInteger(orig.soft) && orig.soft > 0 && orig.soft <= orig.hard);
    const as = a.getrlimit('as');
    assert.ok(as.soft === Infinity || Number.isInteger(as.soft), 'RLIM_INFINITY reads Infinity');
    try {
      a.setrlimit('nofile', orig.soft - 1, orig.hard);
      assert.deepEqual(a.getrlimit('nofile'), { soft: orig.soft - 1, hard: orig.hard });
      // RLIMIT_NOFILE above fs.nr_open is refused even with CAP_SYS_RESOURCE.
      const nrOpen = Number(readFileSync('/proc/sys/fs/nr_open', 'utf8'));
      assert.throws(() => a.setrlimit('nofile', nrOpen + 1, nrOpen + 1), (err: unknown) => isSystemError(err, 'EPERM') && err.syscall === 'setrlimit');
      assert.throws(() => a.setrlimit('nofile', orig.hard, orig.hard - 1), (err: unknown) => isSystemError(err, 'EINVAL'));
    } finally {
      a.setrlimit('nofile', orig.soft, orig.hard);
    }
    assert.deepEqual(a.getrlimit('nofile'), orig);
    assert.throws(() => a.getrlimit('files' as 'nofile'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => a.setrlimit('nofile', -1, 10), { name: 'TypeError', code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => a.setrlimit('nofile', 1.5, 10), { name: 'TypeError', code: 'ERR_OUT_OF_RANGE' });
  });

  test('createListener validates its options', () => {
    const a = native();
    assert.throws(() => a.createListener({ host: 'localhost', port: 0, family: 4 }), {
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
    });
    assert.throws(() => a.createListener({ host: LOOPBACK, port: 70000, family: 4 }), {
      name: 'TypeError',
      code: 'ERR_OUT_OF_RANGE',
    });
  });

  test('IPv6 listener with v6only', (t) => {
    const a = native();
    let fd: number;
    try {
      fd = a.createListener({ host: '::1', port: 0, family: 6, v6only: true, deferAccept: true, backlog: 16 });
    } catch (err: unknown) {
      if (isSystemError(err, 'EADDRNOTAVAIL') || isSystemError(err, 'EAFNOSUPPORT')) {
        t.skip('no IPv6 loopback here');
        return;
      }
      throw err;
    }
    assert.ok(a.localPort(fd) > 0);
    a.close(fd);
  });

  // The two native accept loops: a thread of its own, and the forwarder's thread (shared and
  // reuseport accept modes).
  type StartAccepting = (scope: Scope, fd: number, cb: (fds: number[]) => void, onError?: (e: AcceptorError) => void) => Acceptor;
  const ACCEPTORS: [string, StartAccepting][] = [
    ['startAcceptor', (_scope, fd, cb, onError) => native().startAcceptor(fd, cb, onError)],
    ['forwarder.listen', (scope, fd, cb, onError) => scope.forwarder().listen(fd, cb, onError)],
  ];

  for (const [name, start] of ACCEPTORS) {
    test(`${name} delivers an fd per client connection`, async (t) => {
      const scope = new Scope(t);
      const N = 20;
      const lst = scope.listen();
      let delivered = 0;
      const acceptor = start(scope, lst.fd, (fds) => {
        for (const cfd of fds) {
          delivered++;
          const s = scope.socket(new net.Socket({ fd: cfd, readable: true, writable: true }));
          s.on('data', (b: Buffer) => s.end(b)); // echo the byte back, then FIN
        }
      });
      scope.defer(() => acceptor.stop());
      const echoes = await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const c = scope.socket(net.connect(lst.port, LOOPBACK));
          await once(c, 'connect');
          c.end(String.fromCharCode(65 + (i % 26)));
          return (await collect(c)).toString();
        }),
      );
      acceptor.stop();
      acceptor.stop(); // idempotent
      assert.equal(delivered, N);
      assert.deepEqual(
        echoes,
        Array.from({ length: N }, (_, i) => String.fromCharCode(65 + (i % 26))),
      );
    });

    test(`${name}: once stop() returns nothing more is accepted; the fd is the caller's`, async (t) => {
      const scope = new Scope(t);
      const lst = scope.listen();
      const first = start(scope, lst.fd, () => assert.fail('stopped before any client'));
      first.stop();
      // The client waits in the kernel's queue; a new acceptor on the same fd takes it.
      const c = scope.socket(net.connect(lst.port, LOOPBACK));
      await once(c, 'connect');
      const fds = await new Promise<number[]>((resolve) => {
        const second = start(scope, lst.fd, (got) => {
          second.stop();
          resolve(got);
        });
        scope.defer(() => second.stop());
      });
      assert.equal(fds.length, 1);
      native().close(fds[0]!);
    });
  }

  test('forwarder.listen: limits set right after listen() apply from the first accept; room reopens', async (t) => {
    const scope = new Scope(t);
    const fwd = scope.forwarder();
    // Gauges: [listener cur, listener operator limit (0: the configured one)], nothing else.
    const gauges = new Int32Array(new SharedArrayBuffer(16));
    const limited = scope.listen();
    const free = scope.listen();
    // Both clients wait in the kernel's queues before anything listens; the listener whose
    // limit (1) is already used up must not take its client.
    gauges[0] = 1;
    for (const port of [limited.port, free.port]) await once(scope.socket(net.connect(port, LOOPBACK)), 'connect');
    const got: number[] = [];
    let limitedAt = -1;
    const limitedFd = new Promise<number>((resolve) =>
      fwd
        .listen(limited.fd, (fds) => {
          limitedAt = Atomics.load(gauges, 0);
          resolve(fds[0]!);
        })
        .setLimits(gauges, 0, 0, 0, 0, 0, 0, 0, 1, 1),
    );
    // Started after the limited one: its accept comes in the same loop turn or a later one.
    const freeFd = new Promise<number>((resolve) => fwd.listen(free.fd, (fds) => resolve(fds[0]!)));
    got.push(await freeFd);
    await new Promise((r) => setImmediate(r)); // the rest of that hand-over
    assert.equal(limitedAt, -1, 'nothing accepted past the limit');
    Atomics.store(gauges, 0, 0); // a connection left: room for one
    got.push(await limitedFd);
    assert.equal(limitedAt, 0);
    for (const fd of got) native().close(fd);
  });

  test('forwarder.listen: a JS thread that falls behind loses no connection (the loop parks and resumes)', async (t) => {
    const scope = new Scope(t);
    const lst = scope.listen();
    const N = 200;
    let delivered = 0;
    let all: () => void = () => undefined;
    const done = new Promise<void>((r) => (all = r));
    const acceptor = scope.forwarder().listen(lst.fd, (fds) => {
      for (const fd of fds) native().close(fd);
      delivered += fds.length;
      if (delivered === N) all();
    });
    scope.defer(() => acceptor.stop());
    // The clients connect from another thread while this one is blocked until all are
    // connected: the loop accepts kMaxPendingAccepts (32), parks, and is woken when JS takes them.
    const connected = new Int32Array(new SharedArrayBuffer(4));
    const clients = new Worker(
      `const net = require('node:net'); const { workerData: w, parentPort } = require('node:worker_threads');
       const socks = [];
       for (let i = 0; i < w.n; i++) {
         const s = net.connect(w.port, '127.0.0.1', () => { Atomics.add(w.connected, 0, 1); Atomics.notify(w.connected, 0); });
         s.on('error', () => {});
         socks.push(s);
       }
       parentPort.on('message', () => { for (const s of socks) s.destroy(); parentPort.close(); });`,
      { eval: true, workerData: { n: N, port: lst.port, connected } },
    );
    scope.defer(() => void clients.terminate());
    for (let n = 0; n < N; n = Atomics.load(connected, 0)) Atomics.wait(connected, 0, n);
    await done;
    assert.equal(delivered, N);
    clients.postMessage('end');
  });

  test('forwarder.listen reports a fatal error through onError; ERR_FORWARDER_CLOSED after close()', async (t) => {
    const scope = new Scope(t);
    const fwd = scope.forwarder();
    const fd = openSync('/dev/null', 'r'); // epoll refuses a regular file
    scope.defer(() => closeSync(fd));
    const err = await new Promise<AcceptorError>((resolve) => {
      const acceptor = fwd.listen(fd, () => assert.fail('no connection expected'), (e) => {
        acceptor.stop();
        resolve(e);
      });
    });
    assert.equal(err.code, 'EPERM');
    assert.equal(err.fatal, true);
    fwd.close();
    assert.throws(() => fwd.listen(fd, () => undefined), { code: 'ERR_FORWARDER_CLOSED' });
  });

  test('startAcceptor reports a fatal accept error through onError', async (t) => {
    const a = native();
    const scope = new Scope(t);
    const fd = openSync('/dev/null', 'r'); // poll() says readable, accept4() says ENOTSOCK
    scope.defer(() => closeSync(fd));
    const err = await new Promise<AcceptorError>((resolve) => {
      const acceptor = a.startAcceptor(
        fd,
        () => assert.fail('no connection expected'),
        (e) => {
          acceptor.stop();
          resolve(e);
        },
      );
      scope.defer(() => acceptor.stop());
    });
    assert.equal(err.code, 'ENOTSOCK');
    assert.equal(err.syscall, 'accept');
    assert.equal(err.fatal, true);
  });

  test('startAcceptor backs off on EMFILE (reported, not fatal) and resumes when fds free up', async () => {
    // In a child limited to 64 fds: clients wait in the accept queue, the fd table is filled,
    // and the acceptor must report EMFILE once, pause, and accept everything once fds return.
    const code = `
      import net from 'node:net';
      import { openSync, closeSync } from 'node:fs';
      const { loadAddon } = await import(process.env.SY_LOADER);
      const a = loadAddon();
      const lfd = a.createListener({ host: '127.0.0.1', port: 0, family: 4 });
      const N = 8;
      const clients = [];
      await Promise.all(Array.from({ length: N }, () => new Promise((resolve) => {
        clients.push(net.connect(a.localPort(lfd), '127.0.0.1', resolve));
      })));
      const hog = [];
      try { for (;;) hog.push(openSync('/dev/null', 'r')); } catch {}
      closeSync(hog.pop()); // room for the acceptor's wake-up fd only
      const errors = [];
      let accepted = 0;
      const acceptor = a.startAcceptor(lfd, (fds) => {
        accepted += fds.length;
        for (const fd of fds) a.close(fd);
        if (accepted === N) {
          acceptor.stop();
          for (const fd of hog) closeSync(fd);
          for (const c of clients) c.destroy();
          console.log(JSON.stringify({ accepted, errors }));
        }
      }, (err) => {
        errors.push({ code: err.code, fatal: err.fatal });
        for (const fd of hog.splice(0, 2)) closeSync(fd);
      });`;
    const child = spawn('sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, '--input-type=module', '-e', code], {
      env: { ...process.env, SY_LOADER: LOADER_URL },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const [exitCode] = (await once(child, 'close')) as [number | null];
    assert.equal(exitCode, 0);
    const result = JSON.parse(out) as { accepted: number; errors: { code: string; fatal: boolean }[] };
    assert.equal(result.accepted, 8);
    assert.ok(result.errors.length >= 1);
    assert.deepEqual(result.errors[0], { code: 'EMFILE', fatal: false });
    assert.ok(result.errors.every((e) => e.code === 'EMFILE' && !e.fatal));
  });

  for (const splice of [true, false]) {
    test(`forwarder moves 5 MB each way (${splice ? 'splice' : 'copy fallback'})`, async (t) => {
      const scope = new Scope(t);
      const fwd = scope.forwarder({ splice });
      const up = randomBytes(MB5);
      const down = randomBytes(MB5);
      let serverGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
      const { target } = await scope.server((s) => {
        serverGot = collect(s);
        s.end(down);
      });
      const { client, fd } = await clientPair(scope, { allowHalfOpen: true });
      const clientGot = collect(client);
      const f = forward(fwd, fd, target, TIMEOUTS);
      await f.connected;
      client.end(up);
      const [fromServer, final] = await Promise.all([clientGot, f.done]);
      assert.ok(fromServer.equals(down), 'client received the server bytes intact');
      assert.ok((await serverGot).equals(up), 'server received the client bytes intact');
      assert.equal(final.type, 'closed');
      if (final.type === 'closed') {
        assert.equal(final.bytesIn, MB5);
        assert.equal(final.bytesOut, MB5);
        assert.ok(final.reason === 'client-close' || final.reason === 'server-close', final.reason);
        assert.equal(final.code, undefined);
      }
      assert.deepEqual(
        f.events.map((e) => e.type),
        ['connected', 'closed'],
      );
      const stats = fwd.stats();
      assert.equal(stats.active, 0);
      assert.equal(stats.pipesInUse, 0, 'no pipe is held once the data has moved');
      if (!splice) assert.equal(stats.pipesPooled, 0);
    });
  }

  /** `bytes` from the server to the client through `fwd` (the server writes them at once); the stats after. */
  async function oneWay(scope: Scope, fwd: Forwarder, bytes: number): Promise<ForwarderStats> {
    const payload = randomBytes(bytes);
    const { target } = await scope.server((s) => s.end(payload));
    const { client, fd } = await clientPair(scope);
    const got = collect(client);
    const f = forward(fwd, fd, target, TIMEOUTS);
    assert.ok((await got).equals(payload), 'the client received the bytes intact');
    const ev = await f.done;
    assert.ok(ev.type === 'closed' && ev.bytesOut === bytes, JSON.stringify(ev));
    return fwd.stats();
  }

  test('splice pipes: a streaming flow grows its pipe to 1 MiB, a message keeps the system size', async (t) => {
    const scope = new Scope(t);
    const small = await oneWay(scope, scope.forwarder(), 100);
    assert.equal(small.pipesPooled, 1);
    const systemSize = small.pipeBytes;
    assert.ok(systemSize > 0 && systemSize < 1 << 20, `system pipe size ${systemSize}`);
    const bulk = await oneWay(scope, scope.forwarder(), MB5);
    assert.equal(bulk.pipesInUse, 0);
    assert.ok(bulk.pipesPooled >= 1);
    assert.ok(bulk.pipeBytes >= 1 << 20, `a pipe grew (${bulk.pipeBytes} bytes in ${bulk.pipesPooled} pipes)`);
  });

  for (const size of [4096, 131072]) {
    test(`splice pipes: pipeSize ${size} (tune.pipesize) sizes every pipe and none grows`, async (t) => {
      const scope = new Scope(t);
      const stats = await oneWay(scope, scope.forwarder({ pipeSize: size }), MB5);
      assert.ok(stats.pipesPooled >= 1);
      assert.equal(stats.pipeBytes, stats.pipesPooled * size);
    });
  }

  test('connect to a closed port: connect-error ECONNREFUSED hands the client fd back', async (t) => {
    const scope = new Scope(t);
    const fwd = scope.forwarder();
    const dead = scope.listen();
    dead.close(); // nothing listens on dead.port now
    const { client, fd } = await clientPair(scope);
    const clientGot = collect(client);
    const f = forward(fwd, fd, { host: LOOPBACK, port: dead.port, family: 4 }, TIMEOUTS);
    const ev = await f.done;
    assert.equal(ev.type, 'connect-error');
    assert.ok(ev.type === 'connect-error');
    // The fd is ours again and still connected to the client: take it, then answer on it.
    const s = scope.socket(new net.Socket({ fd: ev.clientFd, readable: true, writable: true }));
    assert.equal(ev.code, 'ECONNREFUSED');
    assert.equal(ev.clientFd, fd);
    assert.equal(fwd.stats().active, 0);
    s.end('retry-me');
    assert.equal((await clientGot).toString(), 'retry-me');
  });

  test('connect timeout: connect-error ETIMEDOUT hands the client fd back', async (t) => {
    const scope = new Scope(t);
    const fwd = scope.forwarder();
    // A listener with backlog 0 holds one unaccepted connection; while that one waits, the
    // kernel drops further SYNs, so a connect to it stays in progress until our timeout.
    const a = native();
    const full = a.createListener({ host: LOOPBACK, port: 0, family: 4, backlog: 0 });
    scope.defer(() => a.close(full));
    const filler = scope.socket(net.connect(a.localPort(full), LOOPBACK));
    await once(filler, 'connect');
    const { client, fd } = await clientPair(scope);
    const clientGot = collect(client);
    const f = forward(fwd, fd, { host: LOOPBACK, port: a.localPort(full), family: 4 }, {
      connectTimeoutMs: 100,
      clientTimeoutMs: 0,
      serverTimeoutMs: 0,
    });
    const ev = await f.done;
    assert.ok(ev.type === 'connect-error', JSON.stringify(ev));
    const s = scope.socket(new net.Socket({ fd: ev.clientFd, readable: true, writable: true }));
    assert.equal(ev.code, 'ETIMEDOUT');
    assert.equal(ev.clientFd, fd);
    s.end('still here');
    assert.equal((await clientGot).toString(), 'still here');
  });

  test('half-close: the client ends its write side and still receives the reply', async (t) => {
    const scope = new Scope(t);
    const fwd = scope.forwarder();
    const { target } = await scope.server((s) => {
      void collect(s).then((req) => s.end(`got ${req.length}: ${req.toString()}`));
    });
    const { client, fd } = await clientPair(scope, { allowHalfOpen: true });
    const reply = collect(client);
    const f = forward(fwd, fd, target, TIMEOUTS);
    await f.connected;
    client.end('hello');
    assert.equal((await reply).toString(), 'got 5: hello');
    const ev = await f.done;
    assert.deepEqual(ev, { type: 'closed', id: f.id, bytesIn: 5, bytesOut: 12, reason: 'client-close' });
  });

  for (const side of ['server', 'client'] as const) {
    test(`${side} idle timeout closes with reason '${side}-timeout'`, async (t) => {
      const scope = new Scope(t);
      const fwd = scope.forwarder();
      const { target } = await scope.server((s) => s.resume()); // reads, never speaks
      const { client, fd } = await clientPair(scope);
      const clientEnd = collect(client);
      const opts: ForwardOptions =
        side === 'server'
          ? { connectTimeoutMs: 10_000, clientTimeoutMs: 0, serverTimeoutMs: 150 }
          : { connectTimeoutMs: 10_000, clientTimeoutMs: 150, serverTimeoutMs: 0 };
      const f = forward(fwd, fd, target, opts);
      await f.connected;
      client.write('ping');
      const ev = await f.done;
      assert.equal(ev.type, 'closed');
      if (ev.type === 'closed') {
        assert.equal(ev.reason, `${side}-timeout`);
        assert.equal(ev.bytesIn, 4);
        assert.equal(ev.bytesOut, 0);
      }
      await clientEnd; // the forwarder closed the client connection
    });
  }

  test('server-fin replaces the server timeout once the client has half-closed', async (t) => {
    const scope = new Scope(t);
    const fwd = scope.forwarder();
    const { target } = await scope.server((s) => s.resume()); // reads to EOF, never answers
    const { client, fd } = await clientPair(scope, { allowHalfOpen: true });
    const clientEnd = collect(client);
    const f = forward(fwd, fd, target, { connectTimeoutMs: 10_000, clientTimeoutMs: 0, serverTimeoutMs: 0, serverFinMs: 100 });
    await f.connected;
    client.end('bye');
    const ev = await f.done;
    assert.deepEqual(ev, { type: 'closed', id: f.id, bytesIn: 3, bytesOut: 0, reason: 'server-timeout' });
    await clientEnd;
  });

  test('tunnel timeout replaces the client and server timeouts', async (t) => {
    const scope = new Scope(t);
    const fwd = scope.forwarder();
    const { target } = await scope.server((s) => s.resume());
    const { client, fd } = await clientPair(scope);
    const clientEnd = collect(client);
    const f = forward(fwd, fd, target, { connectTimeoutMs: 10_000, clientTimeoutMs: 0, serverTimeoutMs: 0, tunnelTimeoutMs: 100 });
    await f.connected;
    client.write('idle soon');
    const ev = await f.done;
    assert.ok(ev.type === 'closed');
    assert.ok(ev.reason === 'client-timeout' || ev.reason === 'server-timeout', ev.reason);
    await clientEnd;
  });

  test('many concurrent spliced connections', async (t) => {
    const scope = new Scope(t);
    const fwd = scope.forwarder({ maxPooledPipes: 4 });
    const { target } = await scope.server((s) => s.pipe(s)); // echo
    const N = 40;
    const payload = randomBytes(256 * 1024);
    const results = await Promise.all(
      Array.from({ length: N }, async () => {
        const { client, fd } = await clientPair(scope, { allowHalfOpen: true });
        const got = collect(client);
        const f = forward(fwd, fd, target, TIMEOUTS);
        await f.connected;
        client.end(payload);
        const [echo, ev] = await Promise.all([got, f.done]);
        return { same: echo.equals(payload), ev };
      }),
    );
    for (const { same, ev } of results) {
      assert.ok(same);
      assert.ok(ev.type === 'closed' && ev.bytesIn === payload.length && ev.bytesOut === payload.length, JSON.stringify(ev));
    }
    const stats = fwd.stats();
    assert.equal(stats.active, 0);
    assert.equal(stats.pipesInUse, 0);
    assert.ok(stats.pipesPooled <= 4);
  });

  test('abort() and close() end live connections with reason aborted; no fd leaks', async (t) => {
    const scope = new Scope(t);
    const before = openFds();
    const server = await scope.server((s) => s.pipe(s)); // echo
    const fwd = scope.forwarder();
    const clients: net.Socket[] = [];
    const flows: Forwarded[] = [];
    for (let i = 0; i < 3; i++) {
      const { client, fd } = await clientPair(scope);
      clients.push(client);
      const f = forward(fwd, fd, server.target, TIMEOUTS);
      flows.push(f);
      await f.connected;
      client.write('echo');
      await once(client, 'data');
    }
    const ended = clients.map((c) => collect(c));
    assert.equal(fwd.stats().active, 3);
    const [first, second, third] = flows;
    assert.ok(first !== undefined && second !== undefined && third !== undefined);
    assert.equal(fwd.abort(first.id), true);
    const ev = await first.done;
    assert.deepEqual(ev, { type: 'closed', id: first.id, bytesIn: 4, bytesOut: 4, reason: 'aborted' });
    assert.equal(fwd.abort(first.id), false, 'no longer outstanding');
    fwd.close();
    fwd.close(); // idempotent
    for (const f of [second, third]) {
      const e = await f.done;
      assert.equal(e.type === 'closed' && e.reason, 'aborted');
    }
    assert.throws(() => fwd.connect(0, server.target, TIMEOUTS, () => {}), { code: 'ERR_FORWARDER_CLOSED' });
    await Promise.all(ended);
    await Promise.all(clients.map((c) => (c.destroy(), c.closed ? Promise.resolve() : once(c, 'close'))));
    assert.deepEqual(fwd.stats(), { active: 0, pipesInUse: 0, pipesPooled: 0, pipeBytes: 0 });
    await server.close();
    assert.deepEqual(openFds(), before, 'every socket, pipe, epoll and event fd is closed');
  });

  test('pinThread inside a worker_thread pins that thread only', async (t) => {
    const a = native();
    const allowed = a.getAffinity();
    const cpu = allowed[allowed.length - 1];
    assert.ok(cpu !== undefined);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { readFileSync } = require('node:fs');
      import(workerData.loader).then(({ loadAddon }) => {
        const addon = loadAddon();
        addon.pinThread(workerData.cpu);
        const tid = addon.gettid();
        const status = readFileSync('/proc/self/task/' + tid + '/status', 'utf8');
        const line = status.split('\\n').find((l) => l.startsWith('Cpus_allowed_list:'));
        parentPort.postMessage({ tid, list: line.split(':')[1].trim(), affinity: addon.getAffinity() });
      });`;
    const worker = new Scope(t).worker(code, { loader: LOADER_URL, cpu });
    // Listen for 'exit' before awaiting the message: the worker may exit right after posting.
    const exited = once(worker, 'exit');
    const [msg] = (await once(worker, 'message')) as [{ tid: number; list: string; affinity: number[] }];
    await exited;
    assert.equal(msg.list, String(cpu));
    assert.deepEqual(msg.affinity, [cpu]);
    assert.notEqual(msg.tid, a.gettid());
    assert.deepEqual(a.getAffinity(), allowed, 'the main thread is not pinned');
  });

  test('a worker terminated with a live forwarder and acceptor tears down cleanly', async (t) => {
    const scope = new Scope(t);
    const before = openFds();
    const server = await scope.server((s) => s.pipe(s));
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.loader).then(({ loadAddon }) => {
        const addon = loadAddon();
        const fwd = addon.createForwarder();
        const lfd = addon.createListener({ host: '127.0.0.1', port: 0, family: 4 });
        addon.startAcceptor(lfd, (fds) => {
          for (const fd of fds) {
            fwd.connect(fd, workerData.target, { connectTimeoutMs: 0, clientTimeoutMs: 0, serverTimeoutMs: 0 },
              (ev) => { if (ev.type === 'connected') parentPort.postMessage('connected'); });
          }
        });
        parentPort.postMessage({ port: addon.localPort(lfd), lfd });
      });`;
    const worker = scope.worker(code, { loader: LOADER_URL, target: server.target });
    const [ready] = (await once(worker, 'message')) as [{ port: number; lfd: number }];
    // The listening fd is the worker JS's (the acceptor never closes it); fds are process-wide.
    scope.defer(() => native().close(ready.lfd));
    const client = scope.socket(net.connect(ready.port, LOOPBACK));
    client.on('error', () => {}); // the worker's teardown may reset the connection
    const closed = once(client, 'close');
    await once(worker, 'message'); // 'connected'
    client.write('echo');
    await once(client, 'data');
    await worker.terminate();
    await closed;
    await server.close();
    native().close(ready.lfd);
    assert.deepEqual(openFds(), before, 'threads, epoll/event fds, spliced sockets and pipes are closed');
  });
});
