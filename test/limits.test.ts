// `ulimit-n`, `[no] strict-limits`, the FD limit maxconn needs, and `-m`, on real child
// processes whose limits are read back from /proc/PID/limits. Expected texts and numbers were
// recorded from haproxy 2.6.12 on the same configurations and the same limits: it only ever
// raises RLIMIT_NOFILE (a smaller `ulimit-n` changes nothing), and a limit it cannot have is
// an alert and exit 1, or with `no strict-limits` a warning.
//
// Some outcomes depend on CAP_SYS_RESOURCE (raising a hard limit): the tests that lower the
// hard limit first (`ulimit -n` in a shell) expect either outcome accordingly. Values above
// /proc/sys/fs/nr_open are refused to everyone.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, Proc, checkConfigText } from './helpers/proc.js';
import { connectWhenUp, freePort } from './helpers/net.js';
import { fixMemLimit, raiseFdLimit, type RlimitAccess } from '../src/process/rlimits.js';
import type { Rlimit, RlimitResource } from '../src/native/addon.js';
import { loadAddon } from '../src/native/addon.js';

const NR_OPEN = Number(readFileSync('/proc/sys/fs/nr_open', 'utf8').trim());
/** CAP_SYS_RESOURCE (bit 24) lets a process raise its hard limits; children inherit ours. */
const CAN_RAISE_HARD = (BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`) >> 24n & 1n) === 1n;

/** A resource's [soft, hard] from a /proc/PID/limits text ('unlimited' → Infinity). */
function limitsOf(pid: number | 'self', label: string): [number, number] {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith(label));
  const m = line && /^.{26}(\S+)\s+(\S+)/.exec(line);
  assert.ok(m, `no '${label}' in /proc/${pid}/limits`);
  const n = (s: string): number => (s === 'unlimited' ? Infinity : Number(s));
  return [n(m[1]!), n(m[2]!)];
}

/** This test process runs on Node, which raised its soft limit to the hard one: so will the child. */
const [OWN_SOFT] = limitsOf('self', 'Max open files');

function config(globals: readonly string[], port: number): string {
  return [
    'global',
    ...globals.map((g) => `    ${g}`),
    'defaults',
    '    mode tcp',
    '    timeout connect 1s',
    '    timeout client 5s',
    '    timeout server 5s',
    'frontend fe',
    `    bind 127.0.0.1:${port}`,
    '    default_backend be',
    'backend be',
    '    server s1 127.0.0.1:9',
    '',
  ].join('\n');
}

interface StartOptions {
  /** Run under `ulimit -n N` (soft and hard), set by a shell that then execs Switchyard. */
  readonly nofile?: number;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

interface Started {
  readonly proc: Proc;
  readonly pid: number;
  readonly exit: Promise<number | null>;
  /** The start-up messages, without PIDs. */
  said(): string[];
}

function start(globals: readonly string[], port: number, opts: StartOptions = {}): Started {
  const dir = mkdtempSync(join(tmpdir(), 'sy-limits-'));
  const file = join(dir, 't.cfg');
  writeFileSync(file, config(globals, port));
  const argv = [BIN, ...(opts.args ?? []), '-f', file];
  const env = opts.env ?? process.env;
  const child =
    opts.nofile === undefined
      ? spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'], env })
      : spawn('/bin/sh', ['-c', `ulimit -n ${opts.nofile} && exec "$0" "$@"`, process.execPath, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc = new Proc(child);
  return { proc, pid: child.pid!, exit, said: () => proc.messages() };
}

/** Serving: the frontend accepts. Then its limits, and it is stopped. */
async function whileUp<T>(s: Started, port: number, read: () => T | Promise<T>): Promise<T> {
  try {
    const c = await Promise.race([connectWhenUp(port), s.exit.then((code) => Promise.reject(new Error(`exited (${code}):\n${s.proc.lines.join('\n')}`)))]);
    c.destroy();
    return await read();
  } finally {
    process.kill(s.pid, 'SIGTERM');
    await s.exit;
  }
}

const fdAlert = (want: number, cur: number): string => `[ALERT]    [switchyard.main()] Cannot raise FD limit to ${want}, limit is ${cur}.`;
const fdWarning = (want: number, cur: number): string => `[WARNING]  [switchyard.main()] Cannot raise FD limit to ${want}, limit is ${cur}.`;
const withoutAddonNotice = /^\[NOTICE\]   native addon not loaded/;

describe('ulimit-n and strict-limits: configuration check (haproxy 2.6.12 texts)', () => {
  const cases: { name: string; globals: string[]; code: number; err: string[] }[] = [
    { name: 'a value', globals: ['ulimit-n 4321'], code: 0, err: [] },
    { name: 'no strict-limits', globals: ['no strict-limits'], code: 0, err: [] },
    { name: 'strict-limits', globals: ['strict-limits'], code: 0, err: [] },
    {
      name: 'twice: a non-fatal alert, the first value stays',
      globals: ['ulimit-n 100', 'ulimit-n 200'],
      code: 0,
      err: ["[ALERT]    (PID) : config : parsing [t.cfg:3] : 'ulimit-n' already specified. Continuing."],
    },
    { name: 'after ulimit-n 0 (unset)', globals: ['ulimit-n 0', 'ulimit-n 200'], code: 0, err: [] },
    { name: 'no value', globals: ['ulimit-n'], code: 1, err: ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'ulimit-n' expects an integer argument."] },
    { name: 'two values', globals: ['ulimit-n 1 2'], code: 1, err: ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'ulimit-n' cannot handle unexpected argument '2'."] },
    { name: 'strict-limits with an argument', globals: ['strict-limits x'], code: 1, err: ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'strict-limits' cannot handle unexpected argument 'x'."] },
    { name: 'no strict-limits with an argument', globals: ['no strict-limits x'], code: 1, err: ["[ALERT]    (PID) : config : parsing [t.cfg:2] : 'strict-limits' cannot handle unexpected argument 'x'."] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = checkConfigText(config(c.globals, 18401));
      const lines = r.err.split('\n').filter((l) => l !== '' && !/haproxy version is|path to executable is|Error\(s\) found|Fatal errors found/.test(l));
      assert.deepEqual(lines, c.err, r.err);
      assert.equal(r.code, c.code, r.err);
    });
  }
});

describe('the FD limit at start-up', { skip: loadAddon() === undefined ? 'native addon not built' : false }, () => {
  test('ulimit-n 4321 at or below the limit in force: nothing changes, nothing said (2.6.12 never lowers it)', { skip: OWN_SOFT < 4321 ? `the hard limit here is ${OWN_SOFT}` : false }, async () => {
    const port = await freePort();
    const s = start(['ulimit-n 4321'], port);
    const limits = await whileUp(s, port, () => limitsOf(s.pid, 'Max open files'));
    assert.equal(limits[0], OWN_SOFT);
    assert.deepEqual(s.said().filter((l) => /^\[(ALERT|WARNING)\]/.test(l)), []);
  });

  test('ulimit-n 4321 above a hard limit of 3000: raised with CAP_SYS_RESOURCE, else alert and exit 1', async () => {
    const port = await freePort();
    const s = start(['ulimit-n 4321'], port, { nofile: 3000 });
    if (CAN_RAISE_HARD) {
      assert.deepEqual(await whileUp(s, port, () => limitsOf(s.pid, 'Max open files')), [4321, 4321]);
    } else {
      assert.equal(await s.exit, 1);
      assert.deepEqual(s.said(), [fdAlert(4321, 3000)]);
    }
  });

  test('no strict-limits: the same refusal is a warning and it runs on the hard limit', async () => {
    const port = await freePort();
    const s = start(['ulimit-n 4321', 'no strict-limits'], port, { nofile: 3000 });
    const limits = await whileUp(s, port, () => limitsOf(s.pid, 'Max open files'));
    if (CAN_RAISE_HARD) {
      assert.deepEqual(limits, [4321, 4321]);
    } else {
      assert.deepEqual(limits, [3000, 3000]);
      assert.deepEqual(s.said(), [fdWarning(4321, 3000)]);
    }
  });

  test('a plain strict-limits after no strict-limits does not turn it back on (as HAProxy)', async () => {
    const port = await freePort();
    const s = start([`ulimit-n ${NR_OPEN + 1}`, 'no strict-limits', 'strict-limits'], port);
    await whileUp(s, port, () => undefined);
    assert.deepEqual(s.said(), [fdWarning(NR_OPEN + 1, OWN_SOFT)]);
  });

  test('above /proc/sys/fs/nr_open: alert and exit 1, whatever the privileges', async () => {
    const port = await freePort();
    const s = start([`ulimit-n ${NR_OPEN + 1}`], port);
    assert.equal(await s.exit, 1);
    assert.deepEqual(s.said(), [fdAlert(NR_OPEN + 1, OWN_SOFT)]);
  });

  test('maxconn without ulimit-n asks for what maxconn needs (HAProxy maxsock: 10 + listeners + 2 per conn + 3 per thread)', async () => {
    const port = await freePort();
    const maxconn = Math.ceil(NR_OPEN / 2);
    const s = start([`maxconn ${maxconn}`, 'nbthread 1'], port);
    assert.equal(await s.exit, 1);
    // haproxy 2.6.12, maxconn 50000 and nbthread 1 on this config: "Cannot raise FD limit to 100014".
    assert.deepEqual(s.said(), [fdAlert(10 + 1 + 2 * maxconn + 3, OWN_SOFT)]);
  });

  test('without the native addon: a raise that is needed is said to be impossible, then strict-limits decides', async () => {
    const env = { ...process.env, SWITCHYARD_NO_NATIVE: '1' };
    const p1 = await freePort();
    const strict = start(['ulimit-n 4321'], p1, { nofile: 3000, env });
    assert.equal(await strict.exit, 1);
    const said = strict.said().filter((l) => !/pure-JS listeners/.test(l));
    assert.match(said[0]!, withoutAddonNotice);
    assert.match(said[0]!, /: the FD limit cannot be raised to 4321\.$/);
    assert.deepEqual(said.slice(1), [fdAlert(4321, 3000)]);

    const p2 = await freePort();
    const lax = start(['ulimit-n 4321', 'no strict-limits'], p2, { nofile: 3000, env });
    assert.deepEqual(await whileUp(lax, p2, () => limitsOf(lax.pid, 'Max open files')), [3000, 3000]);
    assert.deepEqual(lax.said().filter((l) => !/pure-JS listeners/.test(l)).slice(1), [fdWarning(4321, 3000)]);
  });

  test('without the native addon, a limit already met needs nothing', { skip: OWN_SOFT < 4321 ? `the hard limit here is ${OWN_SOFT}` : false }, async () => {
    const port = await freePort();
    const s = start(['ulimit-n 4321'], port, { env: { ...process.env, SWITCHYARD_NO_NATIVE: '1' } });
    await whileUp(s, port, () => undefined);
    assert.deepEqual(s.said().filter((l) => !/pure-JS listeners/.test(l)), []);
  });
});

describe('-m MEGS: the address-space limit', { skip: loadAddon() === undefined ? 'native addon not built' : false }, () => {
  test('-m 100000: RLIMIT_AS soft and hard', async () => {
    const port = await freePort();
    const s = start([], port, { args: ['-m', '100000'] });
    // Set once the workers are up, just after the listeners accept: look again until it is.
    const read = async (): Promise<[number, number]> => {
      for (let i = 0; i < 200; i++) {
        const l = limitsOf(s.pid, 'Max address space');
        if (l[0] !== Infinity) return l;
        await new Promise((r) => setTimeout(r, 25));
      }
      return limitsOf(s.pid, 'Max address space');
    };
    assert.deepEqual(await whileUp(s, port, read), [104857600000, 104857600000]);
  });

  test('-m 1, below what Node.js already maps: HAProxy\'s alert and exit 1; a warning with no strict-limits', async () => {
    const p1 = await freePort();
    const strict = start([], p1, { args: ['-m', '1'] });
    assert.equal(await strict.exit, 1);
    assert.match(strict.said()[0]!, /^\[NOTICE\]   -m 1: the process already maps \d+ MB of address space/);
    assert.deepEqual(strict.said().slice(1), ['[ALERT]    [switchyard.main()] Cannot fix MEM limit to 1 megs.']);

    const p2 = await freePort();
    const lax = start(['no strict-limits'], p2, { args: ['-m', '1'] });
    // Said once the workers are up, just after the listeners accept.
    const read = (): Promise<[number, number]> => lax.proc.waitFor(/Cannot fix MEM limit/).then(() => limitsOf(lax.pid, 'Max address space'));
    assert.deepEqual(await whileUp(lax, p2, read), [Infinity, Infinity]);
    assert.deepEqual(lax.said().slice(1), ['[WARNING]  [switchyard.main()] Cannot fix MEM limit to 1 megs.']);
  });
});

/** The policy on a fake kernel: what is asked for, and when. */
describe('raiseFdLimit / fixMemLimit', () => {
  function fake(nofile: Rlimit, opts: { refuse?: boolean; mapped?: number; noSet?: boolean } = {}) {
    const calls: [RlimitResource, number, number][] = [];
    const current = new Map<RlimitResource, Rlimit>([['nofile', nofile], ['as', { soft: Infinity, hard: Infinity }]]);
    const log: string[] = [];
    const rl: RlimitAccess = {
      get: (r) => current.get(r),
      ...(opts.noSet
        ? { unavailable: 'native addon not loaded (test)' }
        : {
            set: (r: RlimitResource, soft: number, hard: number) => {
              calls.push([r, soft, hard]);
              if (opts.refuse && (soft > 3000 || hard > 3000)) throw Object.assign(new Error('setrlimit EPERM'), { code: 'EPERM' });
              current.set(r, { soft, hard });
            },
          }),
      mapped: () => opts.mapped,
    };
    const sink = { alert: (m: string) => log.push(`A ${m}`), warning: (m: string) => log.push(`W ${m}`), notice: (m: string) => log.push(`N ${m}`) };
    return { rl, calls, log, sink, current };
  }

  test('raises soft, and hard only when asked above it', () => {
    const f = fake({ soft: 1024, hard: 8192 });
    assert.equal(raiseFdLimit(4321, true, 'p', f.rl, f.sink), true);
    assert.deepEqual(f.calls, [['nofile', 4321, 8192]]);
    const g = fake({ soft: 1024, hard: 2048 });
    assert.equal(raiseFdLimit(4321, true, 'p', g.rl, g.sink), true);
    assert.deepEqual(g.calls, [['nofile', 4321, 4321]]);
    assert.deepEqual([...f.log, ...g.log], []);
  });

  test('never lowers: no call at all when the limit is already met', () => {
    const f = fake({ soft: 20000, hard: 20000 });
    assert.equal(raiseFdLimit(4321, true, 'p', f.rl, f.sink), true);
    assert.deepEqual(f.calls, []);
  });

  test('an unlimited hard limit: HAProxy takes the soft one as the hard limit to keep', () => {
    const f = fake({ soft: 1024, hard: Infinity });
    raiseFdLimit(4321, true, 'p', f.rl, f.sink);
    assert.deepEqual(f.calls, [['nofile', 4321, 4321]]);
  });

  test('refused: strict alert; lax takes the hard limit and warns with what it got', () => {
    const f = fake({ soft: 1000, hard: 3000 }, { refuse: true });
    assert.equal(raiseFdLimit(4321, true, 'p', f.rl, f.sink), false);
    assert.deepEqual(f.log, ['A [p.main()] Cannot raise FD limit to 4321, limit is 1000.']);
    const g = fake({ soft: 1000, hard: 3000 }, { refuse: true });
    assert.equal(raiseFdLimit(4321, false, 'p', g.rl, g.sink), true);
    assert.deepEqual(g.calls, [['nofile', 4321, 4321], ['nofile', 3000, 3000]]);
    assert.deepEqual(g.log, ['W [p.main()] Cannot raise FD limit to 4321, limit is 3000.']);
  });

  test('a negative ulimit-n cannot be had (HAProxy: a huge rlim_t), and 0 asks for nothing', () => {
    const f = fake({ soft: 1000, hard: 3000 });
    assert.equal(raiseFdLimit(-5, true, 'p', f.rl, f.sink), false);
    assert.deepEqual(f.log, ['A [p.main()] Cannot raise FD limit to -5, limit is 1000.']);
    assert.equal(raiseFdLimit(0, true, 'p', f.rl, f.sink), true);
    assert.deepEqual(f.calls, []);
  });

  test('no setrlimit (no addon): a notice, then the strict-limits outcome', () => {
    const f = fake({ soft: 1000, hard: 3000 }, { noSet: true });
    assert.equal(raiseFdLimit(4321, false, 'p', f.rl, f.sink), true);
    assert.deepEqual(f.log, ['N native addon not loaded (test): the FD limit cannot be raised to 4321.', 'W [p.main()] Cannot raise FD limit to 4321, limit is 1000.']);
  });

  test('-m: RLIMIT_AS soft and hard in bytes; refused below what is mapped', () => {
    const f = fake({ soft: 1, hard: 1 }, { mapped: 2 * 1048576 });
    assert.equal(fixMemLimit(3, true, 'p', f.rl, f.sink), true);
    assert.deepEqual(f.calls, [['as', 3 * 1048576, 3 * 1048576]]);
    assert.equal(fixMemLimit(1, true, 'p', f.rl, f.sink), false);
    assert.equal(f.log.at(-1), 'A [p.main()] Cannot fix MEM limit to 1 megs.');
    assert.equal(fixMemLimit(0, true, 'p', f.rl, f.sink), true);
    assert.equal(f.calls.length, 1);
  });
});
