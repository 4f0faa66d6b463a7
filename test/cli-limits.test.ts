// `-n` and `-N` on the command line, as haproxy 2.6.12 applies them (recorded with the same
// configuration): -n is the global maxconn over the keyword, -N the default frontend maxconn
// that a frontend's own `maxconn` still overrides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers/net.js';
import { cli, socketReady } from './helpers/cli.js';
import { BIN } from './helpers/proc.js';

test('-n sets the global maxconn over the keyword, -N the frontends that set none', { timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-cli-limits-'));
  const sock = join(dir, 'admin.sock');
  const [p1, p2, origin] = [await freePort(), await freePort(), await freePort()];
  const cfg = join(dir, 'sy.cfg');
  writeFileSync(
    cfg,
    `global\n maxconn 100\n stats socket ${sock} level admin\ndefaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n` +
      `frontend fe\n bind 127.0.0.1:${p1}\n default_backend be\nfrontend fe2\n bind 127.0.0.1:${p2}\n maxconn 9\n default_backend be\nbackend be\n server s1 127.0.0.1:${origin}\n`,
  );
  const child = spawn(process.execPath, [BIN, '-n', '7', '-N', '3', '-f', cfg], { stdio: 'ignore' });
  t.after(() => void child.kill('SIGKILL'));
  await socketReady(sock);
  const info = await cli(sock, 'show info\n');
  assert.match(info, /^Maxconn: 7$/m);
  assert.match(info, /^Hard_maxconn: 7$/m);
  const slim = (await cli(sock, 'show stat\n'))
    .split('\n')
    .filter((l) => l.includes(',FRONTEND,'))
    .map((l) => `${l.split(',')[0]}=${l.split(',')[6]}`);
  assert.deepEqual(slim, ['fe=3', 'fe2=9']);
});
