// Process-wide `global` keywords, on real child processes: the environment keywords (setenv,
// presetenv, unsetenv, resetenv), the identity ones (user, group, uid, gid), hard-stop-after,
// zero-warning and noreuseport. Expected texts were recorded from haproxy 2.6.12 on the same
// configurations.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, Proc } from './helpers/proc.js';
import { connectWhenUp, freePort } from './helpers/net.js';
import { cli, socketReady } from './helpers/cli.js';
import { send } from './helpers/http.js';
import { loadAddon } from '../src/native/addon.js';

const children: ChildProcess[] = [];
const closed = new Map<ChildProcess, Promise<number | null>>();
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A fresh directory others can read too (the identity tests start Switchyard as nobody). */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sy-globals-'));
  chmodSync(dir, 0o755);
  return dir;
}

function writeCfg(text: string): { dir: string; file: string } {
  const dir = scratch();
  const file = join(dir, 't.cfg');
  writeFileSync(file, text, { mode: 0o644 });
  return { dir, file };
}

/** `switchyard -c` in a chosen environment: exit code and stderr with PIDs and the directory taken out. */
function check(cfg: string, env: NodeJS.ProcessEnv = process.env): { code: number; lines: string[] } {
  const { dir, file } = writeCfg(cfg);
  const r = spawnSync(process.execPath, [BIN, '-c', '-f', file], { encoding: 'latin1', env });
  const err = r.stderr.replaceAll(dir + '/', '').replace(/^(\[\w+\]\s+)\(\d+\)/gm, '$1(PID)');
  // Every line but the start-up notices; some HAProxy messages end with an empty line, kept.
  return { code: r.status ?? -1, lines: err.split('\n').slice(0, -1).filter((l) => !/haproxy version is|path to executable is/.test(l)) };
}

interface LaunchOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
}

function launch(cfg: string, opts: LaunchOptions = {}): Proc {
  return launchFile(writeCfg(cfg).file, opts);
}

function launchFile(file: string, opts: LaunchOptions = {}): Proc {
  const child = spawn(process.execPath, [BIN, '-f', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: opts.env ?? process.env,
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  children.push(child);
  // 'close' comes once stderr is read to its end too, so a test sees every line said.
  closed.set(child, once(child, 'close').then(([code]) => code as number | null));
  return new Proc(child);
}

/** What it said on stderr, "(PID) : " and `dir` taken out, start-up notices (native addon ...) left aside. */
function said(p: Proc, dir = ''): string[] {
  return p
    .messages()
    .filter((l) => !l.startsWith('[NOTICE]'))
    .map((l) => (dir ? l.replaceAll(dir + '/', '') : l));
}

/** The exit code, once the child has exited and its stderr is read. */
function exitCode(child: ChildProcess): Promise<number | null> {
  return closed.get(child)!;
}

/** A TCP server that answers "pong" to "ping" and resolves `connected` on its first client. */
async function pongServer(): Promise<{ port: number; connected: Promise<net.Socket>; close(): void }> {
  let first: (s: net.Socket) => void = () => undefined;
  const connected = new Promise<net.Socket>((r) => (first = r));
  const srv = net.createServer((c) => {
    c.on('error', () => undefined);
    c.on('data', (d) => {
      if (String(d).includes('ping')) c.end('pong');
    });
    first(c);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  after(() => void srv.close());
  return { port: (srv.address() as net.AddressInfo).port, connected, close: () => srv.close() };
}

function ping(c: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let d = '';
    c.on('data', (x) => (d += x));
    c.on('close', () => resolve(d));
    c.on('error', () => undefined);
    c.write('ping');
  });
}

const TAIL = 'defaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten l\n bind 127.0.0.1:19999\n';
const tcpProxy = (port: number, be: number): string =>
  `defaults\n mode tcp\n timeout connect 5s\n timeout client 30s\n timeout server 30s\nlisten l\n bind 127.0.0.1:${port}\n server s 127.0.0.1:${be}\n`;

const FATAL = ['[ALERT]    (PID) : config : Error(s) found in configuration file : t.cfg', '[ALERT]    (PID) : config : Fatal errors found in configuration.'];

describe('setenv, presetenv, unsetenv, resetenv', () => {
  test('act in parse order: later lines expand, and .if defined() tests, the changed environment', () => {
    const cfg = [
      'global',
      ' .if defined(A)',
      ' .notice "A was defined"',
      ' .endif',
      ' setenv A one',
      ' .notice "A=$A"',
      ' presetenv A two',
      ' presetenv PRESET inner',
      ' presetenv B three',
      ' .notice "A=${A} B=${B} PRESET=${PRESET}"',
      ' .if defined(A)',
      ' .notice "A is defined"',
      ' .endif',
      ' unsetenv A B',
      ' .notice "A=${A-gone} B=${B-gone}"',
      ' resetenv KEEP',
      ' .notice "KEEP=${KEEP} PRESET=${PRESET-gone}"',
      '',
    ].join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, PRESET: 'outer', KEEP: 'kept' };
    delete env['A'];
    delete env['B'];
    const r = check(cfg + TAIL, env);
    assert.equal(r.code, 0);
    assert.deepEqual(r.lines, [
      "[NOTICE]   (PID) : config : parsing [t.cfg:6]: 'A=one'.",
      "[NOTICE]   (PID) : config : parsing [t.cfg:10]: 'A=one B=three PRESET=outer'.",
      "[NOTICE]   (PID) : config : parsing [t.cfg:12]: 'A is defined'.",
      "[NOTICE]   (PID) : config : parsing [t.cfg:15]: 'A=gone B=gone'.",
      "[NOTICE]   (PID) : config : parsing [t.cfg:17]: 'KEEP=kept PRESET=gone'.",
    ]);
  });

  const cases: [string, string[]][] = [
    [' setenv A', ["[ALERT]    (PID) : config : parsing [t.cfg:2]: 'setenv' expects a name and a value."]],
    [' setenv A ""', ["[ALERT]    (PID) : config : parsing [t.cfg:2]: 'setenv' expects a name and a value."]],
    [' presetenv', ["[ALERT]    (PID) : config : parsing [t.cfg:2]: 'presetenv' expects a name and a value."]],
    [' setenv A b c d', ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'setenv' cannot handle unexpected argument 'd'."]],
    [' setenv A=B c', ["[ALERT]    (PID) : config : parsing [t.cfg:2]: 'setenv' failed on variable 'A=B' : Invalid argument."]],
    [' unsetenv', ["[ALERT]    (PID) : config : parsing [t.cfg:2]: 'unsetenv' expects at least one variable name."]],
    [' unsetenv X A=B', ["[ALERT]    (PID) : config : parsing [t.cfg:2]: 'unsetenv' failed on variable 'A=B' : Invalid argument."]],
  ];
  for (const [line, alerts] of cases) {
    test(`HAProxy's alert for '${line.trim()}'`, () => {
      const r = check(`global\n${line}\n${TAIL}`);
      assert.deepEqual(r.lines, [...alerts, ...FATAL]);
      assert.equal(r.code, 1);
    });
  }

  test("a third word is let through and a bare 'resetenv' is valid, as in HAProxy", () => {
    const r = check(`global\n setenv A b c\n resetenv\n${TAIL}`);
    assert.deepEqual(r.lines, []);
    assert.equal(r.code, 0);
  });

  test('the running process has that environment: the runtime API and env() in the workers see it', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const sock = join(scratch(), 'api.sock');
    const cfg = [
      'global',
      ` stats socket ${sock} level admin`,
      ` setenv SY_PORT ${port}`,
      ' setenv GREETING "hello from setenv"',
      ' presetenv PRESET ignored',
      ' unsetenv DROPME',
      'defaults',
      ' mode http',
      ' timeout connect 5s',
      ' timeout client 5s',
      ' timeout server 5s',
      'frontend fe',
      ' bind "127.0.0.1:${SY_PORT}"',
      ' http-request return status 200 content-type text/plain lf-string "%[env(GREETING)]|%[env(PRESET)]|%[env(DROPME)]|"',
      '',
    ].join('\n');
    const p = launch(cfg, { env: { ...process.env, PRESET: 'from-parent', DROPME: 'secret' } });
    (await connectWhenUp(port)).destroy();
    const [answer] = await send(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(answer?.body, 'hello from setenv|from-parent||');
    await socketReady(sock);
    assert.equal(await cli(sock, 'show env GREETING\n'), 'GREETING=hello from setenv\n\n');
    assert.equal(await cli(sock, 'show env PRESET\n'), 'PRESET=from-parent\n\n');
    assert.equal(await cli(sock, 'show env DROPME\n'), 'Variable not found\n\n');
    p.child.kill('SIGTERM');
    assert.equal(await exitCode(p.child), 0);
  });

  test('after resetenv the process keeps only the variables named and those set later', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const sock = join(scratch(), 'api.sock');
    const cfg = `global\n stats socket ${sock} level admin\n resetenv KEEP\n setenv AFTER 1\n${tcpProxy(port, 9)}`;
    const p = launch(cfg, { env: { ...process.env, KEEP: 'kept' } });
    await socketReady(sock);
    assert.equal(await cli(sock, 'show env\n'), 'KEEP=kept\nAFTER=1\n\n');
    p.child.kill('SIGTERM');
    assert.equal(await exitCode(p.child), 0);
  });
});

const isRoot = process.getuid?.() === 0;
const hasNobody = spawnSync('getent', ['passwd', 'nobody']).status === 0 && spawnSync('getent', ['group', 'nogroup']).status === 0;

describe('user, group, uid, gid', () => {
  const cases: [string, number, string[]][] = [
    [' user nosuchuser', 1, ["[ALERT]    (PID) : config : parsing [t.cfg:2] : cannot find user id for 'nosuchuser' (0:Success)", ...FATAL]],
    [' group nosuchgroup', 1, ["[ALERT]    (PID) : config : parsing [t.cfg:2] : cannot find group id for 'nosuchgroup' (0:Success)", ...FATAL]],
    [' user', 1, ["[ALERT]    (PID) : config : parsing [t.cfg:2] : cannot find user id for '' (0:Success)", ...FATAL]],
    [' user a b', 1, ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'user' cannot handle unexpected argument 'b'.", ...FATAL]],
    [' uid', 1, ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'uid' expects an integer argument.", ...FATAL]],
    [' uid 1 2', 1, ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'uid' cannot handle unexpected argument '2'.", ...FATAL]],
    // "already specified" is an alert HAProxy goes on from: the configuration stays valid.
    [' uid 5\n uid 6', 0, ['[ALERT]    (PID) : config : parsing [t.cfg:3] : user/uid already specified. Continuing.']],
    [' uid 5\n user nobody', 0, ['[ALERT]    (PID) : config : parsing [t.cfg:3] : user/uid already specified. Continuing.']],
    [' gid 5\n group nogroup', 0, ['[ALERT]    (PID) : config : parsing [t.cfg:3] : gid/group was already specified. Continuing.']],
    [' group nogroup\n gid 5', 0, ['[ALERT]    (PID) : config : parsing [t.cfg:3] : group/gid already specified. Continuing.']],
    // Id 0 (root) counts as "not set".
    [' user root\n user nobody\n uid 0', 0, ['[ALERT]    (PID) : config : parsing [t.cfg:4] : user/uid already specified. Continuing.']],
    [' uid 0\n uid 5', 0, []],
    [' uid -5', 0, []],
    [
      ' uid abc',
      0,
      [
        "[WARNING]  (PID) : config : parsing [t.cfg:2] :  uid: string 'abc' is not a number.",
        "   | You might want to use the 'user' parameter to use a system user name.",
      ],
    ],
    [
      ' gid 2147483648',
      0,
      [
        "[WARNING]  (PID) : config : parsing [t.cfg:2] :  gid: string '2147483648' is not a number.",
        "   | You might want to use the 'group' parameter to use a system group name.",
      ],
    ],
  ];
  for (const [lines, code, expected] of cases) {
    test(`HAProxy's messages for '${lines.trim().replace('\n', ' / ')}'`, { skip: hasNobody ? false : 'no nobody/nogroup here' }, () => {
      const r = check(`global\n${lines}\n${TAIL}`);
      assert.deepEqual(r.lines, expected);
      assert.equal(r.code, code);
    });
  }

  test(
    'started as root, it binds first, then runs as nobody:nogroup in every thread and still proxies',
    { timeout: 30_000, skip: !isRoot ? 'needs root' : !hasNobody ? 'no nobody/nogroup here' : false },
    async () => {
      const be = await pongServer();
      const port = await freePort();
      const sock = join(scratch(), 'api.sock');
      const p = launch(`global\n nbthread 2\n user nobody\n group nogroup\n stats socket ${sock} level admin\n${tcpProxy(port, be.port)}`);
      const c = await connectWhenUp(port);
      assert.equal(await ping(c), 'pong');
      // The stats socket was bound while still root, and answers after the switch.
      await socketReady(sock);
      assert.match(await cli(sock, 'show info\n'), /^Name: HAProxy$/m);
      const uid = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim();
      const gid = spawnSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).stdout.split(':')[2];
      const pid = p.child.pid!;
      const tasks = readdirSync(`/proc/${pid}/task`);
      assert.ok(tasks.length > 2, 'worker threads are running');
      for (const t of tasks) {
        const status = readFileSync(`/proc/${pid}/task/${t}/status`, 'latin1');
        assert.match(status, new RegExp(`^Uid:\\t${uid}\\t${uid}\\t${uid}\\t${uid}$`, 'm'), `thread ${t}`);
        assert.match(status, new RegExp(`^Gid:\\t${gid}\\t${gid}\\t${gid}\\t${gid}$`, 'm'), `thread ${t}`);
        assert.match(status, /^Groups:\s*$/m, `thread ${t}: no supplementary groups`);
      }
      p.child.kill('SIGTERM');
      assert.equal(await exitCode(p.child), 0);
    },
  );

  test(
    'an identity it may not take is fatal after binding, with HAProxy\'s alert',
    { timeout: 30_000, skip: !isRoot ? 'needs root to start as nobody' : !hasNobody ? 'no nobody here' : false },
    async () => {
      const port = await freePort();
      const nobody = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
      const p = launch(`global\n uid 5\n${tcpProxy(port, 9)}`, { uid: nobody, gid: nobody });
      assert.equal(await exitCode(p.child), 1);
      assert.deepEqual(said(p), ['[ALERT]    [switchyard.main()] Cannot set uid 5.']);
    },
  );
});

// The soft stop's two time keywords share HAProxy's messages (haproxy -c 2.6.12, checked for both).
for (const kw of ['grace', 'hard-stop-after']) {
  describe(kw, () => {
    const at = "[ALERT]    (PID) : config : parsing [t.cfg:2] : ";
    const cases: [string, string[]][] = [
      [` ${kw}`, [`${at}'${kw}' expects <time> as argument.`, '']],
      [` ${kw} 10x`, [`${at}unexpected character 'x' in argument to <${kw}>.`, '']],
      [` ${kw} 1.5s`, [`${at}unexpected character '.' in argument to <${kw}>.`, '']],
      [` ${kw} 30d`, [`${at}timer overflow in argument '30d' to '${kw}' (maximum value is 2147483647 ms or ~24.8 days)`]],
    ];
    for (const [line, alert] of cases) {
      test(`HAProxy's alert for '${line.trim()}'`, () => {
        // HAProxy's own message ends with a newline where an empty line follows it.
        assert.deepEqual(check(`global\n${line}\n${TAIL}`), { code: 1, lines: [...alert, ...FATAL] });
      });
    }

    test('words after the time are ignored, as HAProxy ignores them', () => {
      assert.deepEqual(check(`global\n ${kw} 10 20\n${TAIL}`), { code: 0, lines: [] });
    });
  });
}

describe('hard-stop-after', () => {
  test('a soft stop closes what is still open after TIME, says so, and exits 0', { timeout: 30_000 }, async () => {
    const be = await pongServer();
    const port = await freePort();
    const p = launch(`global\n hard-stop-after 200ms\n${tcpProxy(port, be.port)}`);
    const held = await connectWhenUp(port);
    const closed = once(held, 'close');
    // The session must have reached the server: a connection still in the backlog is dropped.
    await be.connected;
    p.child.kill('SIGUSR1');
    assert.equal(await exitCode(p.child), 0);
    await closed;
    assert.deepEqual(
      said(p).filter((l) => /hard-stop/.test(l)),
      ['[WARNING]  soft-stop running for too long, performing a hard-stop.', '[WARNING]  Proxy l hard-stopped (1 remaining conns will be closed).'],
    );
  });

  test('a soft stop that ends in time says nothing of a hard stop', { timeout: 30_000 }, async () => {
    const be = await pongServer();
    const port = await freePort();
    const p = launch(`global\n hard-stop-after 1h\n${tcpProxy(port, be.port)}`);
    const c = await connectWhenUp(port);
    await be.connected;
    p.child.kill('SIGUSR1');
    assert.equal(await ping(c), 'pong');
    assert.equal(await exitCode(p.child), 0);
    assert.deepEqual(said(p).filter((l) => /hard-stop/.test(l)), []);
  });
});

describe('zero-warning', () => {
  const warned = `global\n zero-warning\n uid abc\n${TAIL}`;
  const expected = [
    "[WARNING]  (PID) : config : parsing [t.cfg:3] :  uid: string 'abc' is not a number.",
    "   | You might want to use the 'user' parameter to use a system user name.",
    "[ALERT]    (PID) : config : Some warnings were found and 'zero-warning' is set. Aborting.",
  ];

  test('-c: a warning becomes fatal, after being reported', () => {
    assert.deepEqual(check(warned), { code: 1, lines: expected });
    assert.deepEqual(check(`global\n zero-warning\n${TAIL}`), { code: 0, lines: [] });
    assert.deepEqual(check(`global\n zero-warning x\n${TAIL}`).lines, ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'zero-warning' cannot handle unexpected argument 'x'.", ...FATAL]);
  });

  test('starting: a warning makes it exit 1 before serving', { timeout: 30_000 }, async () => {
    const { dir, file } = writeCfg(warned);
    const p = launchFile(file);
    assert.equal(await exitCode(p.child), 1);
    assert.deepEqual(said(p, dir), expected.map((l) => l.replace(' (PID) :', '')));
  });
});

describe('noreuseport', () => {
  const addon = loadAddon();

  test("'shards by-thread' cannot get one socket per thread: start-up fails as HAProxy's", { timeout: 30_000 }, async () => {
    const port = await freePort();
    const { dir, file } = writeCfg(`global\n nbthread 2\n noreuseport\ndefaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten l\n bind 127.0.0.1:${port} shards by-thread\n`);
    const p = launchFile(file);
    assert.equal(await exitCode(p.child), 1);
    assert.deepEqual(said(p, dir), [
      `[ALERT]    Binding [t.cfg:10] for proxy l: cannot bind socket (Address already in use) for [127.0.0.1:${port}]`,
      '[ALERT]    [switchyard.main()] Some protocols failed to start their listeners! Exiting.',
    ]);
  });

  test(
    "accept-mode 'reuseport' binds without SO_REUSEPORT: a second process cannot share the port",
    { timeout: 60_000, skip: addon === undefined ? 'native addon not built' : false },
    async () => {
      const port = await freePort();
      const cfg = (reuse: boolean, sock: string): string =>
        `global\n nbthread 2\n switchyard.accept-mode reuseport\n${reuse ? '' : ' noreuseport\n'} stats socket ${sock}\n${tcpProxy(port, 9)}`;
      const dir = scratch();
      // Without noreuseport, both processes bind the port (each socket has SO_REUSEPORT).
      const a = launch(cfg(true, join(dir, 'a.sock')));
      await socketReady(join(dir, 'a.sock'));
      const b = launch(cfg(true, join(dir, 'b.sock')));
      await socketReady(join(dir, 'b.sock'));
      for (const p of [a, b]) {
        p.child.kill('SIGTERM');
        assert.equal(await exitCode(p.child), 0);
      }
      // With it, the first one serves through one shared socket and the second cannot bind.
      const c = launch(cfg(false, join(dir, 'c.sock')));
      await socketReady(join(dir, 'c.sock'));
      const d = launch(cfg(false, join(dir, 'd.sock')));
      assert.equal(await exitCode(d.child), 1);
      assert.match(said(d)[0] ?? '', new RegExp(`cannot bind socket \\(Address already in use\\).*127\\.0\\.0\\.1:${port}\\]$`), d.lines.join('\n'));
      assert.ok(
        c.messages().includes("[NOTICE]   'noreuseport' is set: 'switchyard.accept-mode reuseport' needs SO_REUSEPORT, using 'shared' (one listening socket for all workers)."),
        c.lines.join('\n'),
      );
      c.child.kill('SIGTERM');
      assert.equal(await exitCode(c.child), 0);
    },
  );
});
