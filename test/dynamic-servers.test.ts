// `add server` / `del server` on the runtime API, end to end: a Switchyard child with a stats
// socket, real TCP servers on loopback, traffic through the proxy before and after each
// change. Answers were recorded from haproxy 2.6.12 on the same commands; a worker thread
// started after the changes (the replacement of a dead one) must see them too.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort } from './helpers/net.js';
import { count, named, spread } from './helpers/named.js';
import { cli, socketReady } from './helpers/cli.js';
import { checkConfigText, startSwitchyard, type Proc } from './helpers/proc.js';
import { checkedModel } from './helpers/model.js';
import { DataPlane } from '../src/dataplane/runtime.js';
import { runtimeServer } from '../src/dataplane/compile.js';
import { loadAddon } from '../src/native/addon.js';

/** Which servers answered `n` new connections through the proxy, counted by name. */
const tally = async (port: number, n: number): Promise<Record<string, number>> => count(await spread(port, n));

const STATE_HEADER =
  '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n';

describe('add server / del server', { timeout: 120_000 }, () => {
  let sock = '';
  let port = 0;
  let proc: Proc;
  const ports: Record<string, number> = {};

  before(async () => {
    for (const n of ['A', 'B', 'C']) ports[n] = await named(n);
    port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sy-dyn-'));
    sock = join(dir, 'admin.sock');
    proc = startSwitchyard(
      `global\n nbthread 2\n switchyard.dynamic-servers 3\n stats socket ${sock} level admin\n` +
        `defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n` +
        `frontend fe\n bind 127.0.0.1:${port}\n default_backend be\n` +
        `backend be\n balance roundrobin\n server s1 127.0.0.1:${ports['A']}\n` +
        `backend st\n balance static-rr\n server s1 127.0.0.1:${ports['A']}\n` +
        `backend ch\n balance source\n hash-type consistent\n server s1 127.0.0.1:${ports['A']}\n` +
        `backend rf\n use-server r2 if { always_true }\n server r1 127.0.0.1:${ports['A']} check\n server r2 127.0.0.1:${ports['A']}\n server r3 127.0.0.1:${ports['A']} track r1\n`,
    );
    await socketReady(sock);
  });

  test('refusals, in HAProxy 2.6 words', async () => {
    const cases: [string, string][] = [
      ['add server be\n', "Require 'backend/server'.\n"],
      ['add server be/\n', "Require 'backend/server'.\n"],
      ['add server nobe/s2 127.0.0.1:1\n', 'No such backend.\n'],
      ['add server st/s2 127.0.0.1:1\n', 'Backend must use a dynamic load balancing to support dynamic servers.\n'],
      ['add server be/s2\n', "'server' expects <name> and <addr>[:<port>] as arguments.\n\n"],
      ['add server be/s1 127.0.0.1:1\n', 'Already exists a server with the same name in backend.\n\n'],
      ['add server be/s2 127.0.0.1:1 cookie x\n', "'cookie' option is not accepted for dynamic server\n\n"],
      ['add server be/s2 127.0.0.1:1 redir http://x\n', "'redir' option is not accepted for dynamic server\n\n"],
      ['add server be/s2 127.0.0.1:1 weight 300\n', 'weight of server s2 is not within 0 and 256 (300)..\n\n'],
      ['add server be/s2 127.0.0.1:1 foo\n', "unknown keyword 'foo'; did you mean 'tfo' maybe ?\n\n"],
      ['add server be/s2 127.0.0.1:1 id 1\n', "'id' : custom id 1 already used at " + '(file):N' + " ('server s1').\n\n"],
    ];
    for (const [cmd, want] of cases) {
      const got = await cli(sock, cmd);
      // A configured server's origin is its file and line; HAProxy prints "(null):0" for dynamic ones.
      assert.equal(got.replace(/at \S+:\d+ \(/, 'at (file):N ('), want, cmd);
    }
    // None of them created anything.
    assert.equal((await cli(sock, 'show servers state be\n')).split('\n').length, STATE_HEADER.split('\n').length + 2);
  });

  test('an added server starts in maintenance, takes traffic once enabled, and leaves with del server', async () => {
    assert.equal(await cli(sock, `add server be/s2 127.0.0.1:${ports['B']}\n`), 'New server registered.\n\n');
    assert.match(await cli(sock, 'show servers state be\n'), /\n\d+ be 2 s2 127\.0\.0\.1 0 1 1 1 \d+ 1 0 0 0 0 0 0 - \d+ - 0 0 - - 0\n\n$/);
    assert.deepEqual(await tally(port, 4), { A: 4 });
    assert.equal(await cli(sock, 'enable server be/s2\n'), '\n');
    // roundrobin over both threads: exact alternation.
    assert.deepEqual(await tally(port, 6), { A: 3, B: 3 });
    // stot 3. scur/smax are not asserted: a client sees the server's close a moment before
    // the proxy's session ends, so the next connection may briefly overlap it.
    assert.match(await cli(sock, 'show stat\n'), /\nbe,s2,0,0,\d+,\d+,,3,/);

    assert.equal(await cli(sock, 'del server be/s2\n'), 'Only servers in maintenance mode can be deleted.\n');
    assert.equal(await cli(sock, 'disable server be/s2\n'), '\n');
    assert.equal(await cli(sock, 'del server be/s2\n'), 'Server deleted.\n');
    assert.equal(await cli(sock, 'get weight be/s2\n'), 'No such server.\n\n');
    assert.deepEqual(await tally(port, 4), { A: 4 });

    // The freed slot serves the next server: its traffic goes to the new address, its counters start at 0.
    assert.equal(await cli(sock, `add server be/s3 127.0.0.1:${ports['C']} enabled weight 2\n`), 'New server registered.\n\n');
    assert.deepEqual(await tally(port, 6), { A: 2, C: 4 });
    assert.match(await cli(sock, 'show stat\n'), /\nbe,s3,0,0,\d+,\d+,,4,/);
    assert.equal(await cli(sock, 'get weight be/s3\n'), '2 (initial 2)\n\n');
  });

  test('consistent hashing takes servers; the spare slots run out with a clear answer', async () => {
    assert.equal(await cli(sock, `add server ch/s2 127.0.0.1:${ports['B']}\n`), 'New server registered.\n\n');
    assert.equal(await cli(sock, `add server ch/s3 127.0.0.1:${ports['B']}\n`), 'New server registered.\n\n');
    assert.equal(
      await cli(sock, `add server ch/s4 127.0.0.1:${ports['B']}\n`),
      "No free server slot: 'switchyard.dynamic-servers' allows 3 servers added at run time.\n\n",
    );
    assert.equal(await cli(sock, 'del server ch/s3\n'), 'Server deleted.\n');
    assert.equal(await cli(sock, `add server ch/s4 127.0.0.1:${ports['B']}\n`), 'New server registered.\n\n');
  });

  test('a server tracked by another or named by use-server cannot be deleted (haproxy 2.6 answers)', async () => {
    const refused = 'This server cannot be removed at runtime due to other configuration elements pointing to it.\n';
    for (const s of ['r1', 'r2', 'r3']) assert.equal(await cli(sock, `disable server rf/${s}\n`), '\n');
    assert.equal(await cli(sock, 'del server rf/r1\n'), refused);
    assert.equal(await cli(sock, 'del server rf/r2\n'), refused);
    assert.equal(await cli(sock, 'del server rf/r3\n'), 'Server deleted.\n');
    // Its tracker gone, r1 still may not go: haproxy 2.6.12 never clears the flag.
    assert.equal(await cli(sock, 'del server rf/r1\n'), refused);
  });

  test('add server ... track: refused as haproxy 2.6.12 refuses it, else the added server follows its target', async () => {
    const a = `127.0.0.1:${ports['A']}`;
    assert.equal(await cli(sock, `add server rf/d1 ${a} track nope\n`), "unable to find required server 'nope' for tracking.\n\n");
    assert.equal(await cli(sock, `add server rf/d1 ${a} track r2\n`), 'unable to use rf/r2 for tracking as it does not have any check nor agent enabled.\n\n');
    assert.equal(await cli(sock, `add server rf/d1 ${a} track other/r1\n`), "unable to find required proxy 'other' for tracking.\n\n");
    assert.equal(await cli(sock, `add server rf/d1 ${a} track r1\n`), 'New server registered.\n\n');
    assert.equal(await cli(sock, `add server rf/d2 ${a} track d1\n`), 'unable to use rf/d1 for tracking as it is a dynamic server.\n\n');
    const row = (await cli(sock, 'show stat\n')).split('\n').find((l) => l.startsWith('rf,d1,'))!.split(',');
    const header = (await cli(sock, 'show stat\n')).split('\n')[0]!.replace(/^# /, '').split(',');
    assert.equal(row[header.indexOf('tracked')], 'rf/r1');
    assert.equal(await cli(sock, 'del server rf/d1\n'), 'Server deleted.\n');
  });

  test('health checks of an added server wait for enable health', async () => {
    const closed = await freePort();
    assert.equal(await cli(sock, 'disable server be/s3\n'), '\n');
    assert.equal(await cli(sock, 'del server be/s3\n'), 'Server deleted.\n');
    assert.equal(await cli(sock, `add server be/s5 127.0.0.1:${closed} check inter 100 fall 1\n`), 'New server registered.\n\n');
    // Configured, not enabled: srv_check_state 2, as haproxy shows it.
    assert.match(await cli(sock, 'show servers state be\n'), /\n\d+ be \d+ s5 127\.0\.0\.1 0 1 1 1 \d+ 1 0 0 2 0 0 0 - \d+ - 0 0 - - 0\n\n$/);
    assert.equal(await cli(sock, 'enable server be/s5\n'), '\n');
    const from = proc.lines.length;
    assert.equal(await cli(sock, 'enable health be/s5\n'), '\n');
    await proc.waitFor(/Server be\/s5 is DOWN, reason: Layer4 connection problem/, from);
    assert.deepEqual(await tally(port, 3), { A: 3 });
  });
});

test('a worker thread that starts later sees the servers added and deleted before it', { timeout: 60_000 }, async () => {
  process.env['SWITCHYARD_FAULT_INJECTION'] = '1';
  const [a, b] = [await named('A'), await named('B')];
  const port = await freePort();
  const dp = new DataPlane(
    checkedModel(
      `global\n nbthread 2\ndefaults\n mode tcp\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n` +
        `listen li\n bind 127.0.0.1:${port}\n balance roundrobin\n server s1 127.0.0.1:${a}\n server s0 127.0.0.1:${a}\n`,
    ),
    { mode: loadAddon() ? 'shared' : 'worker' },
  );
  await dp.start();
  try {
    const be = dp.runtime.backends.get('li')!;
    // s0 goes, B comes in a spare slot: afterwards every connection must alternate A/B.
    dp.removeServer(be, be.servers[1]!.slot);
    const slot = dp.slots.take()!;
    const srv = { loc: { file: '(null)', line: 0 }, name: 's2', id: 2, address: { family: 'ipv4', host: '127.0.0.1', ports: [b, b] as const, text: '' }, options: {} };
    dp.addServer(be, runtimeServer(srv, slot, 2, 'tcp'), false);
    dp.injectFault(0);
    dp.injectFault(1);
    while (dp.restarts < 2) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await tally(port, 6), { A: 3, B: 3 });
  } finally {
    await dp.stop();
    delete process.env['SWITCHYARD_FAULT_INJECTION'];
  }
});

test("switchyard.dynamic-servers takes one whole number from 0 to 1000000", () => {
  for (const bad of ['-1', 'x', '1000001', '2 3']) {
    const r = checkConfigText(`global\n switchyard.dynamic-servers ${bad}\n`);
    assert.equal(r.code, 1, bad);
    assert.match(r.err, /\[t\.cfg:2\] : 'switchyard\.dynamic-servers' expects an integer argument between 0 and 1000000\./, bad);
  }
  assert.doesNotMatch(checkConfigText('global\n switchyard.dynamic-servers 0\n').err, /ALERT/);
});
