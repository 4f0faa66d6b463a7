// The switchyard process as users run it: a real child process, real sockets, signals.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort, connectWhenUp } from './helpers/net.js';
import { send } from './helpers/http.js';
import { cli } from './helpers/cli.js';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));


async function backend(reply: string): Promise<{ port: number; server: net.Server; readonly connections: number }> {
  let connections = 0;
  const server = net.createServer((c) => {
    connections++;
    c.on('error', () => undefined);
    c.on('data', (d) => {
      if (String(d).includes('bye')) c.end(reply);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // Closed after the test whatever happens, so a failure cannot keep the runner alive.
  after(() => void server.close());
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    get connections() {
      return connections;
    },
  };
}


function exchange(c: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let d = '';
    c.on('data', (x) => (d += x));
    c.on('close', () => resolve(d));
    c.write('bye');
  });
}

function start(cfg: string, extra: string[] = []): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'sy-proc-'));
  const file = join(dir, 'sy.cfg');
  writeFileSync(file, cfg);
  const child = spawn(process.execPath, [BIN, '-f', file, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

const cfg = (port: number, be: number): string =>
  `global\n nbthread 2\ndefaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\nlisten l\n bind 127.0.0.1:${port}\n server s 127.0.0.1:${be}\n`;

test('serves, writes its pidfile, stops on SIGTERM with exit 0 and removes the pidfile', { timeout: 20_000 }, async () => {
  const be = await backend('pong');
  const port = await freePort();
  const pidfile = join(mkdtempSync(join(tmpdir(), 'sy-pid-')), 'sy.pid');
  const child = start(cfg(port, be.port), ['-p', pidfile]);
  const c = await connectWhenUp(port);
  assert.equal(await exchange(c), 'pong');
  assert.equal(readFileSync(pidfile, 'utf8').trim(), String(child.pid));
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.equal(existsSync(pidfile), false);
  be.server.close();
});

test("the global 'pidfile' is written when -p is absent; -p wins over it", { timeout: 20_000 }, async () => {
  const be = await backend('pong');
  for (const withFlag of [false, true]) {
    const dir = mkdtempSync(join(tmpdir(), 'sy-pid-'));
    const port = await freePort();
    const text = cfg(port, be.port).replace('global\n', `global\n pidfile ${join(dir, 'global.pid')}\n`);
    const child = start(text, withFlag ? ['-p', join(dir, 'flag.pid')] : []);
    assert.equal(await exchange(await connectWhenUp(port)), 'pong');
    assert.equal(readFileSync(join(dir, withFlag ? 'flag.pid' : 'global.pid'), 'utf8').trim(), String(child.pid));
    if (withFlag) assert.equal(existsSync(join(dir, 'global.pid')), false);
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  be.server.close();
});

test('SIGUSR1 soft stop: no new connections, the open one finishes, then the process exits', { timeout: 20_000 }, async () => {
  const be = await backend('late');
  const port = await freePort();
  const child = start(cfg(port, be.port));
  const open = await connectWhenUp(port);
  // The session must have reached the server before stopping: a connection still in the
  // listen backlog is dropped by a soft stop (as with HAProxy).
  for (let i = 0; i < 400 && be.connections === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(be.connections, 1, 'the open session reached the server');
  child.kill('SIGUSR1');
  // New connections are refused once listeners are closed.
  for (;;) {
    const c = net.connect({ port, host: '127.0.0.1' });
    const r = await new Promise<string>((resolve) => {
      c.once('connect', () => resolve('up'));
      c.once('error', () => resolve('refused'));
    });
    c.destroy();
    if (r === 'refused') break;
    await new Promise((r2) => setTimeout(r2, 25));
  }
  assert.equal(await exchange(open), 'late');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  be.server.close();
});

test('grace: after SIGUSR1 new connections are still served until the grace period ends, then the soft stop', { timeout: 20_000 }, async () => {
  const be = await backend('graced');
  const port = await freePort();
  const child = start(cfg(port, be.port).replace('global\n', 'global\n grace 2s\n'));
  assert.equal(await exchange(await connectWhenUp(port)), 'graced');
  const scheduled = stderrLine(child, /\[NOTICE\]   \(\d+\) : Scheduling a soft-stop in 2000 ms\./);
  child.kill('SIGUSR1');
  await scheduled;
  // Within the grace period: a new client is served.
  assert.equal(await exchange(await connectWhenUp(port)), 'graced');
  await stderrLine(child, /\[NOTICE\]   \(\d+\) : Grace period expired, proceeding with soft-stop now\./);
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  be.server.close();
});

test('grace and `monitor fail if { stopping }`: the monitor answers 200, then 503 from SIGUSR1 on while clients are still served', { timeout: 20_000 }, async () => {
  const be = await backend('graced');
  const port = await freePort();
  const mon = await freePort();
  const api = await freePort();
  const child = start(
    cfg(port, be.port).replace('global\n', `global\n grace 2s\n stats socket ipv4@127.0.0.1:${api} level admin\n`) +
      `frontend ext-check\n mode http\n bind 127.0.0.1:${mon}\n monitor-uri /ext-check\n monitor fail if { stopping }\n`,
  );
  (await connectWhenUp(mon)).destroy();
  (await connectWhenUp(api)).destroy();
  const status = async (): Promise<number> => (await send(mon, 'GET /ext-check HTTP/1.1\r\nHost: x\r\n\r\n'))[0]!.status;
  assert.equal(await status(), 200);
  const stopping = async (): Promise<string | undefined> => /^Stopping: (\d+)$/m.exec(await cli(api, 'show info\n'))?.[1];
  assert.equal(await stopping(), '0');
  const scheduled = stderrLine(child, /Scheduling a soft-stop in 2000 ms\./);
  child.kill('SIGUSR1');
  await scheduled;
  // The haproxy manual's own example: external checks see 503 while the grace period lasts.
  assert.equal(await status(), 503);
  // The stats socket also keeps accepting during the grace period: show info says so.
  assert.equal(await stopping(), '1');
  assert.equal(await exchange(await connectWhenUp(port)), 'graced');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  be.server.close();
});

/** Resolves once the child's stderr has printed a line matching `re`. */
function stderrLine(child: ChildProcess, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d;
      const m = re.exec(buf);
      if (m) {
        child.stderr!.off('data', onData);
        resolve(m[0]);
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`exited before printing ${re}: ${buf}`)));
  });
}

for (const mode of ['main', 'shared', 'reuseport'] as const) {
  test(`SIGTTOU releases the port while sessions go on, SIGTTIN listens again (accept mode ${mode})`, { timeout: 20_000 }, async () => {
    const be = await backend('kept');
    const port = await freePort();
    const child = start(cfg(port, be.port).replace('global\n', `global\n switchyard.accept-mode ${mode}\n`));
    const open = await connectWhenUp(port);
    for (let i = 0; i < 400 && be.connections === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const paused = stderrLine(child, /\[WARNING\]  \(\d+\) : Paused proxy l\./);
    child.kill('SIGTTOU');
    await paused;
    // The port is free: another process could take it over (HAProxy's reason for SIGTTOU).
    const other = net.createServer().listen(port, '127.0.0.1');
    await once(other, 'listening');
    other.close();
    await once(other, 'close');
    const resumed = stderrLine(child, /\[WARNING\]  \(\d+\) : Resumed proxy l\./);
    child.kill('SIGTTIN');
    await resumed;
    const again = await connectWhenUp(port);
    assert.equal(await exchange(again), 'kept');
    assert.equal(await exchange(open), 'kept', 'the session opened before the pause still works');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
}

test('bind fd@3: serves on a listening socket inherited from the parent (as under systemd or a wrapper)', { timeout: 20_000 }, async () => {
  const be = await backend('inherited');
  const lsock = net.createServer();
  lsock.listen(0, '127.0.0.1');
  await once(lsock, 'listening');
  after(() => void lsock.close());
  const port = (lsock.address() as net.AddressInfo).port;
  // The listening socket's descriptor in this process (node exposes it on the handle).
  const fd = (lsock as unknown as { _handle: { fd: number } })._handle.fd;
  assert.ok(fd > 2);
  const dir = mkdtempSync(join(tmpdir(), 'sy-fd-'));
  const file = join(dir, 'sy.cfg');
  writeFileSync(file, cfg(port, be.port).replace(/bind \S+/, 'bind fd@3'));
  const child = spawn(process.execPath, [BIN, '-f', file], { stdio: ['ignore', 'pipe', 'pipe', fd] });
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  // Both processes hold the socket; stop ours from accepting so only the child serves.
  lsock.close();
  const c = await connectWhenUp(port);
  assert.equal(await exchange(c), 'inherited');
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});

test('bind fd@N with a descriptor that is not open is refused at load, as HAProxy does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-fd-'));
  const file = join(dir, 'sy.cfg');
  writeFileSync(file, cfg(1, 9).replace(/bind \S+/, 'bind fd@987'));
  const child = spawn(process.execPath, [BIN, '-c', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(err, /parsing \[.*sy\.cfg:\d+\] : 'bind' : cannot use file descriptor '987' : Bad file descriptor\./);
});

test('-c finds what only compiling the rules can find (bad regex), in HTTP and TCP proxies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-c-'));
  const run = async (text: string): Promise<{ code: number | null; err: string }> => {
    const file = join(dir, 'sy.cfg');
    writeFileSync(file, text);
    const child = spawn(process.execPath, [BIN, '-c', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, err };
  };
  const base = 'defaults\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n';
  const regex = await run(`${base} mode http\nfrontend f\n bind 127.0.0.1:1\n http-request deny if { path_reg ( }\n default_backend b\nbackend b\n server s 127.0.0.1:9\n`);
  assert.equal(regex.code, 1);
  assert.match(regex.err, /\[ALERT\] +\(\d+\) : config : parsing \[.*sy\.cfg:8\] : ACL 'path' : regex '\('/);
  const tcp = await run(`${base} mode tcp\nfrontend f\n bind 127.0.0.1:1\n use_backend b if { req.ssl_sni -m reg ( }\n default_backend b\nbackend b\n server s 127.0.0.1:9\n`);
  assert.equal(tcp.code, 1);
  assert.match(tcp.err, /parsing \[.*sy\.cfg:8\] : ACL 'req\.ssl_sni' : regex '\('/);
});

test('a listener that cannot bind stops start-up with exit 1 and HAProxy\'s message', { timeout: 20_000 }, async () => {
  const busy = net.createServer().listen(0, '127.0.0.1');
  await once(busy, 'listening');
  const port = (busy.address() as net.AddressInfo).port;
  const child = start(cfg(port, 9));
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(err, /Binding \[[^\]]+:\d+\] for proxy l: cannot bind socket \(Address already in use\) for \[127\.0\.0\.1:\d+\]/);
  assert.match(err, /Some protocols failed to start their listeners! Exiting\./);
  busy.close();
});

for (const native of [true, false]) {
  test(`every listener that cannot bind is reported, in configuration order (${native ? 'native listeners' : 'without the addon'})`, { timeout: 20_000 }, async () => {
    const busy = await Promise.all(
      [0, 1, 2].map(async () => {
        const s = net.createServer().listen(0, '127.0.0.1');
        await once(s, 'listening');
        return s;
      }),
    );
    const [a, b, c] = busy.map((s) => (s.address() as net.AddressInfo).port);
    const dir = mkdtempSync(join(tmpdir(), 'sy-proc-'));
    const file = join(dir, 'sy.cfg');
    writeFileSync(
      file,
      `global\n nbthread 2\ndefaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n` +
        `frontend fe\n bind 127.0.0.1:${a}\n bind 127.0.0.1:${b}\n default_backend be\nfrontend fe2\n bind 127.0.0.1:${c}\n default_backend be\nbackend be\n server s 127.0.0.1:9\n`,
    );
    const child = spawn(process.execPath, [BIN, '-f', file], { stdio: ['ignore', 'pipe', 'pipe'], env: native ? process.env : { ...process.env, SWITCHYARD_NO_NATIVE: '1' } });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1);
    // As haproxy 2.6.12 prints them for the same configuration.
    const alerts = err.split('\n').filter((l) => l.startsWith('[ALERT]')).map((l) => l.replace(/^\[ALERT\] +\(\d+\) : /, ''));
    assert.deepEqual(alerts, [
      `Binding [${file}:9] for frontend fe: cannot bind socket (Address already in use) for [127.0.0.1:${a}]`,
      `Binding [${file}:10] for frontend fe: cannot bind socket (Address already in use) for [127.0.0.1:${b}]`,
      `Binding [${file}:13] for frontend fe2: cannot bind socket (Address already in use) for [127.0.0.1:${c}]`,
      '[switchyard.main()] Some protocols failed to start their listeners! Exiting.',
    ]);
    for (const s of busy) s.close();
  });
}

test('npm start: the embedded HTTP demo balances curl-able requests over its two listen sections', { timeout: 20_000 }, async () => {
  // Three consecutive free ports: the demo's frontend, then its two self-answering apps.
  let base = 0;
  for (let i = 0; i < 50 && base === 0; i++) {
    const p = await freePort();
    const probes = await Promise.all(
      [p + 1, p + 2].map(
        (q) =>
          new Promise<boolean>((resolve) => {
            const s = net.createServer();
            s.once('error', () => resolve(false));
            s.listen(q, '127.0.0.1', () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (probes.every(Boolean)) base = p;
  }
  const child = spawn(process.execPath, [BIN, '--demo'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHYARD_DEMO_PORT: String(base) } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const ask = async (request: string): Promise<string> => {
      const c = await connectWhenUp(base);
      return new Promise<string>((resolve) => {
        let d = '';
        c.on('data', (x) => (d += x));
        c.on('close', () => resolve(d));
        c.write(request);
      });
    };
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(`GET /p${i} HTTP/1.0\r\nHost: demo\r\n\r\n`));
    // Round robin over app1/app2, each answering itself with the path and the forwarded-for
    // address, and the backend naming the server that answered (as haproxy 2.6.12 does on it).
    for (const [i, a] of answers.entries()) {
      const app = i % 2 === 0 ? 'app1' : 'app2';
      assert.match(a, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(a, new RegExp(`\r\nx-served-by: ${app}\r\n`));
      assert.ok(a.endsWith(`\r\n\r\nhello from ${app} (you asked for /p${i}, from 127.0.0.1)\n`), a);
    }
    // What the demo does not serve is refused at the frontend.
    assert.match(await ask(`POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n`), /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    // Every request, refused ones too, is logged on standard output.
    const connects = (): number => (out.match(new RegExp(`^Connect from 127\\.0\\.0\\.1:[0-9]+ to 127\\.0\\.0\\.1:${base} \\(demo/HTTP\\)$`, 'gm')) ?? []).length;
    while (connects() < 5) await once(child.stdout!, 'data');
    assert.equal(connects(), 5);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

test('-D: the parent exits 0 once the daemon serves; the daemon writes the pidfile and stops on SIGTERM', { timeout: 20_000 }, async () => {
  const be = await backend('bg');
  const port = await freePort();
  const pidfile = join(mkdtempSync(join(tmpdir(), 'sy-daemon-')), 'sy.pid');
  const parent = start(cfg(port, be.port), ['-D', '-p', pidfile]);
  const [code] = (await once(parent, 'exit')) as [number | null];
  assert.equal(code, 0);
  // The daemon is serving already: the parent only exits once it is.
  const c = await connectWhenUp(port);
  assert.equal(await exchange(c), 'bg');
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  assert.notEqual(pid, parent.pid);
  process.kill(pid, 'SIGTERM');
  // Gone (or a zombie awaiting its new parent, which this sandbox's init reaps slowly).
  const stateOf = (): string => (existsSync(`/proc/${pid}/stat`) ? (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? 'gone') : 'gone');
  for (let i = 0; i < 400 && !['Z', 'gone'].includes(stateOf()); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(['Z', 'gone'].includes(stateOf()), 'the daemon stopped on SIGTERM');
  be.server.close();
});
