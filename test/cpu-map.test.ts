// cpu-map: worker threads pinned as configured, visible in /proc/<pid>/task/*/status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAddon } from '../src/native/addon.js';
import { connectWhenUp, freePort } from './helpers/net.js';

const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));

function affinities(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    return /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? '';
  });
}

test('cpu-map auto:1/1-2 0-1 pins worker 1 to CPU 0 and worker 2 to CPU 1', { skip: !loadAddon() || availableParallelism() < 2, timeout: 20_000 }, async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sy-cpu-'));
  const cfg = join(dir, 'c.cfg');
  writeFileSync(cfg, `global\n nbthread 2\n cpu-map auto:1/1-2 0-1\ndefaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\nlisten l\n bind 127.0.0.1:${port}\n server s 127.0.0.1:9\n`);
  const child = spawn(process.execPath, [BIN, '-f', cfg], { stdio: 'ignore' });
  try {
    (await connectWhenUp(port)).destroy();
    // The listener may accept before the workers have started; wait for them to pin.
    let lists = affinities(child.pid!);
    for (let i = 0; i < 400 && !(lists.includes('0') && lists.includes('1')); i++) {
      await new Promise((r) => setTimeout(r, 25));
      lists = affinities(child.pid!);
    }
    assert.ok(lists.includes('0'), `a thread pinned to CPU 0 in ${lists.join(' ')}`);
    assert.ok(lists.includes('1'), `a thread pinned to CPU 1 in ${lists.join(' ')}`);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});
