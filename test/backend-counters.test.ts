// A backend's own counters against haproxy 2.6.12 on the same configuration: BACKEND stot
// counts sessions (one that got no server too, each retry not), econ the sessions that failed
// to connect for good; the server's stot counts attempts, its econ the final failure only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { freePort } from './helpers/net.js';
import { startSwitchyard } from './helpers/proc.js';
import { cli } from './helpers/cli.js';

test('show stat: BACKEND stot/econ count sessions, a server\'s econ its final failure (haproxy 2.6.12\'s figures)', { timeout: 30_000 }, async () => {
  const [api, l, m, dead] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const p = startSwitchyard(
    `global\n stats socket ipv4@127.0.0.1:${api} level admin\ndefaults\n mode tcp\n timeout connect 300ms\n timeout client 2s\n timeout server 2s\n` +
      `listen l\n bind 127.0.0.1:${l}\n server d 127.0.0.1:${dead}\n` +
      `listen m\n bind 127.0.0.1:${m}\n server d 127.0.0.1:${dead} check inter 100 fall 1\n`,
  );
  await p.waitFor(/proxy 'm' has no server available/);
  // One session each: l retries 3 times on its refusing server, m has no server at all.
  for (const port of [l, m]) {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => undefined);
    c.resume();
    await once(c, 'close');
  }
  const csv = (await cli(api, 'show stat\n')).split('\n');
  const cols = csv[0]!.replace(/^# /, '').split(',');
  const row = (px: string, sv: string): string =>
    ['stot', 'econ', 'wretr'].map((k) => csv.find((r) => r.startsWith(`${px},${sv},`))!.split(',')[cols.indexOf(k)]).join('/');
  assert.deepEqual(
    { lSrv: row('l', 'd'), lBe: row('l', 'BACKEND'), mSrv: row('m', 'd'), mBe: row('m', 'BACKEND') },
    { lSrv: '4/1/3', lBe: '1/1/3', mSrv: '0/0/0', mBe: '1/1/0' },
  );
  // `clear counters all` starts them over.
  assert.equal(await cli(api, 'clear counters all\n'), '\n');
  const after = (await cli(api, 'show stat\n')).split('\n').find((r) => r.startsWith('l,BACKEND,'))!.split(',');
  assert.equal(after[cols.indexOf('stot')], '0');
});
