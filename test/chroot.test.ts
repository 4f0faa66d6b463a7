// `chroot` (global): HAProxy's refusal when the directory cannot be entered, the process
// locked into the directory once bound (it still serves), and worker replacement inside the
// jail: the standby worker takes over once; a second death leaves the other worker serving.
// The jail is entered in a child process (it is process-wide); entering it needs root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './helpers/net.js';
import { checkConfigText, line, startSwitchyard } from './helpers/proc.js';
import { loadAddon } from '../src/native/addon.js';

const DEFAULTS = 'defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n';
const root = process.getuid?.() === 0;

/** A server that writes its name to every client, then closes. */
async function nameServer(name: string): Promise<net.Server> {
  const s = net.createServer((c) => c.end(name));
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

function ask(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.on('data', (d) => (got += d.toString()));
    c.on('end', () => resolve(got));
    c.on('error', reject);
  });
}

test("chroot: HAProxy's checks of the keyword (duplicate: an alert it goes on from; missing directory)", () => {
  const base = `${DEFAULTS}listen l\n bind 127.0.0.1:1\n server s 127.0.0.1:2\n`;
  const dup = checkConfigText(`global\n chroot /tmp\n chroot /var\n${base}`);
  assert.equal(dup.code, 0);
  assert.match(dup.err, /\[ALERT\] +\(PID\) : config : parsing \[t\.cfg:3\] : 'chroot' already specified\. Continuing\./);
  const none = checkConfigText(`global\n chroot\n${base}`);
  assert.equal(none.code, 1);
  assert.match(none.err, /parsing \[t\.cfg:2\] : 'chroot' expects a directory as an argument\./);
});

test("chroot into a directory that cannot be entered: HAProxy's alert and exit 1", async () => {
  const port = await freePort();
  const p = startSwitchyard(`global\n chroot /nonexistent-sy-jail\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s 127.0.0.1:9\n`);
  await p.waitFor(line('[ALERT]    (PID) : [switchyard.main()] Cannot chroot(/nonexistent-sy-jail).'));
  const [code] = (await once(p.child, 'exit')) as [number];
  assert.equal(code, 1);
});

test('chroot: locked into the directory once bound, still serving', { skip: !root || !loadAddon() ? 'needs root and the native addon' : false }, async () => {
  const jail = mkdtempSync(join(tmpdir(), 'sy-jail-'));
  const s = await nameServer('jailed');
  const port = await freePort();
  const p = startSwitchyard(`global\n nbthread 2\n chroot ${jail}\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n server s 127.0.0.1:${(s.address() as net.AddressInfo).port}\n`);
  // Listening comes first, the chroot at the end of start-up.
  while (readlinkSync(`/proc/${p.child.pid}/root`) !== realpathSync(jail)) {
    if (p.child.exitCode !== null) assert.fail(p.lines.join('\n'));
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(await ask(port), 'jailed');
  p.child.kill('SIGTERM');
  await once(p.child, 'exit');
  s.close();
});

test('chroot: a unix@ listener is kept through SIGTTOU/SIGTTIN (its path is outside the jail)', { skip: !root || !loadAddon() ? 'needs root and the native addon' : false, timeout: 30_000 }, async () => {
  const jail = mkdtempSync(join(tmpdir(), 'sy-jail-'));
  const path = join(mkdtempSync(join(tmpdir(), 'sy-unix-')), 'lb.sock');
  const s = await nameServer('unix-jailed');
  const p = startSwitchyard(`global\n nbthread 2\n chroot ${jail}\n${DEFAULTS}listen l\n bind unix@${path}\n server s 127.0.0.1:${(s.address() as net.AddressInfo).port}\n`);
  while (readlinkSync(`/proc/${p.child.pid}/root`) !== realpathSync(jail)) {
    if (p.child.exitCode !== null) assert.fail(p.lines.join('\n'));
    await new Promise((r) => setTimeout(r, 20));
  }
  const viaPath = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const c = net.connect(path);
      let got = '';
      c.on('data', (d) => (got += d.toString()));
      c.on('end', () => resolve(got));
      c.on('error', reject);
    });
  assert.equal(await viaPath(), 'unix-jailed');
  const inode = statSync(path).ino;
  p.child.kill('SIGTTOU');
  await p.waitFor(/Paused proxy l\./);
  p.child.kill('SIGTTIN');
  await p.waitFor(/Resumed proxy l\./);
  assert.equal(await viaPath(), 'unix-jailed');
  assert.equal(statSync(path).ino, inode, 'the same socket, not a new one');
  assert.ok(!p.lines.some((l) => l.includes('refused to restart')), p.lines.join('\n'));
  p.child.kill('SIGTERM');
  await once(p.child, 'exit');
  s.close();
});

for (const mode of ['main', 'shared', 'reuseport'] as const) {
  test(`chroot (accept mode ${mode}): a dead worker is replaced by the standby loaded before the chroot; after that the others go on`, { skip: !root || !loadAddon() ? 'needs root and the native addon' : false, timeout: 60_000 }, async () => {
    const jail = mkdtempSync(join(tmpdir(), 'sy-jail-'));
    // A pattern file outside the jail: the standby reads it before the chroot.
    const blocked = join(mkdtempSync(join(tmpdir(), 'sy-acl-')), 'blocked.lst');
    writeFileSync(blocked, '192.0.2.1\n');
    const s = await nameServer('jailed');
    const port = await freePort();
    const cfg = `global\n nbthread 2\n chroot ${jail}\n${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n tcp-request connection reject if { src -f ${blocked} }\n server s 127.0.0.1:${(s.address() as net.AddressInfo).port}\n`;
    // A data plane in a child, as run.ts runs it (start, then chroot); its workers are killed on
    // request (fault injection), and it reports its restarts and problems.
    const code = `
      const { startPlane } = await import(process.env.SY_PLANE);
      const { loadAddon } = await import(process.env.SY_LOADER);
      const problems = [];
      const dp = await startPlane(process.env.SY_CFG, { mode: process.env.SY_MODE, onProblem: (m) => problems.push(m) });
      loadAddon().chroot(process.env.SY_JAIL);
      const say = () => console.log(JSON.stringify({ restarts: dp.restarts, problems }));
      say();
      for await (const l of (await import('node:readline')).createInterface({ input: process.stdin })) {
        if (l.startsWith('fault ')) dp.injectFault(Number(l.slice(6)));
        else say();
      }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      env: {
        ...process.env,
        SWITCHYARD_FAULT_INJECTION: '1',
        SY_PLANE: new URL('./helpers/plane.js', import.meta.url).href,
        SY_LOADER: new URL('../src/native/addon.js', import.meta.url).href,
        SY_CFG: cfg,
        SY_JAIL: jail,
        SY_MODE: mode,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    // Asked every 20 ms: a tighter loop keeps the child's main thread from the worker events.
    const status = async (): Promise<{ restarts: number; problems: string[] }> => {
      await new Promise((r) => setTimeout(r, 20));
      child.stdin!.write('status\n');
      const r = await replies.next();
      assert.ok(!r.done, 'the child answers');
      return JSON.parse(r.value as string) as { restarts: number; problems: string[] };
    };
    const first = await replies.next(); // started and chrooted
    assert.deepEqual(JSON.parse(first.value as string), { restarts: 0, problems: [] });
    assert.equal(readlinkSync(`/proc/${child.pid}/root`), realpathSync(jail));
    assert.equal(await ask(port), 'jailed');

    // First death: the standby takes over; piscina's attempt at a new thread cannot load inside.
    child.stdin!.write('fault 0\n');
    let st = await status();
    while (st.restarts < 1 || st.problems.length < 1) st = await status();
    assert.match(st.problems[0]!, /^No standby worker any more: a new thread cannot load its code inside chroot\(/);
    for (let i = 0; i < 6; i++) assert.equal(await ask(port), 'jailed');

    // Second death (the standby itself, now worker 1 of 2): nothing left to replace it, said
    // once; the other worker serves on.
    child.stdin!.write('fault 0\n');
    while (!st.problems.some((m) => m.startsWith('Worker 1 of 2 died and cannot be replaced inside chroot('))) st = await status();
    assert.equal(st.restarts, 1);
    // main: none is sent to the lost worker; reuseport: its socket left the group.
    for (let i = 0; i < 12; i++) assert.equal(await ask(port), 'jailed');

    child.kill('SIGKILL');
    await once(child, 'exit');
    s.close();
  });
}
