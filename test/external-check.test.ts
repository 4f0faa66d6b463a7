// `option external-check` with a real command: its arguments and environment, exit codes,
// timeouts and exec failures, and the configuration messages, each compared with haproxy
// 2.6.12 on the same configuration (durations and PIDs aside).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers/net.js';
import { checkConfigText, line, startSwitchyard } from './helpers/proc.js';

test('external checks: arguments, environment, exit codes, timeout and exec failure as haproxy runs them', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-ext-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'calls');
  const script = join(dir, 'check.sh');
  // Records its arguments and environment; "slow" never answers in time, "bad" exits 3.
  writeFileSync(
    script,
    `#!/bin/sh\necho "$# $* | $(/usr/bin/env | /usr/bin/sort | /usr/bin/tr '\\n' ' ')" >> ${out}\n` +
      '[ "$HAPROXY_SERVER_NAME" = slow ] && exec /bin/sleep 5\n[ "$HAPROXY_SERVER_NAME" = bad ] && exit 3\nexit 0\n',
  );
  chmodSync(script, 0o755);
  const [port, p1, p2, p3, p4] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const p = startSwitchyard(
    'global\n external-check\n insecure-fork-wanted\ndefaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n' +
      `listen l\n bind 127.0.0.1:${port}\n option external-check\n external-check command ${script}\n` +
      ` server ok 127.0.0.1:${p1} check inter 300 fall 1 rise 1 maxconn 7\n server slow 127.0.0.1:${p2} check inter 300 fall 1 rise 1\n server bad 127.0.0.1:${p3} check inter 300 fall 1\n` +
      `backend b2\n option external-check\n external-check path /usr/bin:/bin\n external-check command check.sh\n server s3 127.0.0.1:${p4} check inter 300 fall 1\n`,
  );
  assert.match(await p.waitFor(/l\/bad is DOWN/), line('[WARNING]  (PID) : Server l/bad is DOWN, reason: External check error, code: 3, check duration: Nms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'));
  assert.match(await p.waitFor(/l\/slow is DOWN/), /Server l\/slow is DOWN, reason: External check timeout, code: 0, check duration: [0-9]+ms\. 1 active and 0 backup servers left\./);
  assert.ok(p.lines.some((l) => /^\[WARNING\]  \(\d+\) : kill \d+$/.test(l)), 'haproxy says which process it killed');
  // A command the PATH does not hold: the exec fails (code 255).
  assert.match(await p.waitFor(/Failed to exec/), line('[ALERT]    (PID) : Failed to exec process for external health check: No such file or directory. Aborting.'));
  assert.match(await p.waitFor(/b2\/s3 is DOWN/), /reason: External check error, code: 255, /);
  const calls = readFileSync(out, 'utf8').split('\n');
  const ok = calls.find((c) => c.includes('HAPROXY_SERVER_NAME=ok '))!;
  assert.equal(
    ok.replace(/ PWD=\S+/, ''),
    `4 127.0.0.1 ${port} 127.0.0.1 ${p1} | HAPROXY_PROXY_ADDR=127.0.0.1 HAPROXY_PROXY_ID=1 HAPROXY_PROXY_NAME=l HAPROXY_PROXY_PORT=${port} HAPROXY_SERVER_ADDR=127.0.0.1 HAPROXY_SERVER_CURCONN=0 ` +
      `HAPROXY_SERVER_ID=1 HAPROXY_SERVER_MAXCONN=7 HAPROXY_SERVER_NAME=ok HAPROXY_SERVER_PORT=${p1} HAPROXY_SERVER_PROTO=tcp HAPROXY_SERVER_SSL=0 PATH= `,
  );
  assert.ok(!p.lines.some((l) => l.includes('l/ok is DOWN')), 'exit 0 passes');
});

test('external checks: haproxy -c 2.6.12\'s messages', () => {
  const cfg = (global: string, proxy: string): string =>
    `global\n ${global}\ndefaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten l\n bind 127.0.0.1:1\n ${proxy}\n server s 127.0.0.1:2 check\n`;
  const msgs = (g: string, px: string): string[] => checkConfigText(cfg(g, px)).err.split('\n').filter((l) => /^\[(WARNING|ALERT)\]/.test(l) && !/Fatal errors|Error\(s\) found/.test(l));
  const noGlobal = "[ALERT]    (PID) : config : Proxy 'l' : 'option external-check' unable to find required 'global.external-check'.";
  const noCommand = "[ALERT]    (PID) : config : Proxy 'l' : 'option external-check' unable to find required 'external-check command'.";
  const noFork = "[WARNING]  (PID) : config : Proxy 'l' : 'insecure-fork-wanted' not enabled in the global section, 'option external-check' will likely fail.";
  const ignored = [
    "[WARNING]  (PID) : config : 'external-check command' will be ignored for proxy 'l' (requires 'option external-check').",
    "[WARNING]  (PID) : config : 'external-check path' will be ignored for proxy 'l' (requires 'option external-check').",
  ];
  assert.deepEqual(msgs('', 'option external-check'), [noGlobal, noCommand, noFork]);
  assert.deepEqual(msgs('', 'option external-check\n external-check command /bin/true'), [noGlobal, noFork]);
  assert.deepEqual(msgs('external-check', 'option external-check'), [noCommand, noFork]);
  assert.deepEqual(msgs('external-check', 'option external-check\n external-check command /bin/true'), [noFork]);
  assert.deepEqual(msgs('insecure-fork-wanted', 'option external-check'), [noGlobal, noCommand]);
  assert.deepEqual(msgs('external-check\n insecure-fork-wanted', 'external-check command /bin/true\n external-check path /bin'), ignored);
  assert.deepEqual(msgs('external-check\n insecure-fork-wanted', 'option external-check\n external-check command /bin/true'), []);
});
