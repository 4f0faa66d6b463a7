// The runtime API on `stats socket`, end to end: switchyard runs as a child process with unix
// and ipv4@ stats sockets, a real socket client drives it, real TCP servers on loopback take
// the traffic. Expected texts were recorded from haproxy 2.6.12 on the same configuration
// (byte for byte; only volatile fields — times, pids — differ there).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, connectWhenUp } from './helpers/net.js';
import { cli, socketReady } from './helpers/cli.js';
import { count, named, spread } from './helpers/named.js';
import { VERSION_WORD } from '../src/version.js';

const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));

const children: ChildProcess[] = [];
const servers: net.Server[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) s.close();
});

function start(cfg: string): { child: ChildProcess; dir: string; stderr: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
  const file = join(dir, 'sy.cfg');
  writeFileSync(file, cfg.replaceAll('@DIR@', dir));
  const child = spawn(process.execPath, [BIN, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  children.push(child);
  return { child, dir, stderr: () => err };
}

/** HAProxy 2.6.12's `show stat` header. */
const STAT_HEADER =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,';

/** HAProxy 2.6.12's `show servers state` header (version 1). */
const STATE_HEADER =
  '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n';

/** HAProxy 2.6.12's answer to `foo`. */
const UNKNOWN_FOO =
  'Unknown command, but maybe one of the following ones is a better match:\n' +
  '  add acl [@<ver>] <acl> <pattern>        : add an acl entry\n' +
  '  show fd [num]                           : dump list of file descriptors in use or a specific one\n' +
  '  show info [desc|json|typed|float]*      : report information about the running process\n' +
  '  trace [<module>|0] [cmd [args...]]      : manage live tracing (empty to list, 0 to stop all)\n' +
  '  user                                    : lower the level of the current CLI session to user\n' +
  '  help [<command>]                        : list matching or all commands\n' +
  '  prompt                                  : toggle interactive mode with prompt\n' +
  '  quit                                    : disconnect\n\n';

describe('runtime API', { timeout: 120_000 }, () => {
  let admin = '';
  let user = '';
  let oper = '';
  let tcp = 0;
  let port = 0;
  let dir = '';
  let pid = 0;

  before(async () => {
    const [a, b, c] = [await named('s1'), await named('s2'), await named('s3')];
    port = await freePort();
    tcp = await freePort();
    const p = start(
      `global\n nbthread 2\n maxconn 500\n` +
        ` stats socket @DIR@/admin.sock mode 600 level admin\n stats socket @DIR@/user.sock level user\n stats socket unix@@DIR@/oper.sock\n` +
        ` stats socket ipv4@127.0.0.1:${tcp} level admin\n stats timeout 30s\n` +
        `defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n` +
        `listen li\n bind 127.0.0.1:${port}\n balance roundrobin\n server s1 127.0.0.1:${a} weight 100\n server s2 127.0.0.1:${b} weight 100\n server s3 127.0.0.1:${c} weight 100 maxconn 10\n` +
        `backend other\n server o1 127.0.0.1:${a}\n`,
    );
    dir = p.dir;
    pid = p.child.pid!;
    admin = join(dir, 'admin.sock');
    user = join(dir, 'user.sock');
    oper = join(dir, 'oper.sock');
    await socketReady(admin);
  });

  test('one command, its answer, an empty line, then the server closes', async () => {
    assert.equal(await cli(admin, 'show cli level\n'), 'admin\n\n');
    assert.equal(await cli(user, 'show cli level\n'), 'user\n\n');
    // `level` defaults to operator, as in HAProxy.
    assert.equal(await cli(oper, 'show cli level\n'), 'operator\n\n');
    assert.equal(await cli(tcp, 'show cli level\n'), 'admin\n\n');
  });

  test('the unix socket file gets its mode', () => {
    assert.equal(statSync(admin).mode & 0o777, 0o600);
    assert.ok(statSync(admin).isSocket());
  });

  test('; chains commands, pipelined lines are all answered, \\r is dropped, escapes are kept', async () => {
    assert.equal(await cli(admin, 'show cli level;show cli level\n'), 'admin\n\nadmin\n\n');
    assert.equal(await cli(admin, 'show cli level\nshow cli level\n'), 'admin\n\nadmin\n\n');
    assert.equal(await cli(admin, 'show cli level\r\nshow cli level\r\n'), 'admin\n\nadmin\n\n');
    assert.equal(await cli(admin, 'show  cli   level  \n'), 'admin\n\n');
    // An empty command between two `;` is an unknown command (the full list).
    const out = await cli(admin, 'show cli level;;show cli level\n');
    assert.ok(out.startsWith('admin\n\nUnknown command. Please enter one of the following commands only:\n  abort ssl ca-file <cafile>'));
    assert.ok(out.endsWith('  quit                                    : disconnect\n\nadmin\n\n'));
  });

  test('quit closes at once; input without a line end is dropped', async () => {
    assert.equal(await cli(admin, 'quit\n'), '');
    assert.equal(await cli(admin, 'show cli level;quit;show cli level\n'), 'admin\n\n');
    const c = net.connect(admin);
    let out = '';
    c.on('data', (d) => (out += d));
    c.end('show cli level');
    await once(c, 'close');
    assert.equal(out, '');
  });

  test('prompt mode: "> " after each answer, "+ " while reading a payload, prompt again leaves', async () => {
    assert.equal(await cli(admin, 'prompt\nshow cli level\nprompt\n'), '\n> admin\n\n> \n');
    assert.equal(await cli(admin, 'show cli level <<\nfoo\nbar\n\n'), 'admin\n\n');
    assert.equal(await cli(admin, 'prompt\nshow cli level <<\nfoo\n\nprompt\n'), '\n> + + admin\n\n> \n');
    // `<<` glued to a word is not a payload marker for the command.
    assert.match(await cli(admin, 'show cli level<<\nfoo\n\n'), /^Unknown command, but maybe one of the following ones is a better match:\n  show cli level {26}: display the level/);
  });

  test('an interactive session stays open until its idle timeout (set timeout cli)', async () => {
    const c = net.connect(admin);
    let out = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => (out += d));
    c.write('prompt\nset timeout cli 1\nshow cli level\n');
    await once(c, 'close');
    assert.equal(out, '\n> \n> admin\n\n> ');
  });

  test('unknown commands and help answer as HAProxy does', async () => {
    assert.equal(await cli(admin, 'foo\n'), UNKNOWN_FOO);
    assert.equal(
      await cli(admin, 'help set server\n'),
      'The following commands are valid at this level:\n' +
        "  set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl\n" +
        '  help [<command>]                        : list matching or all commands\n' +
        '  prompt                                  : toggle interactive mode with prompt\n' +
        '  quit                                    : disconnect\n\n',
    );
    const help = await cli(user, 'help\n');
    // Every command HAProxy 2.6.12 lists, at every level: 100 plus help, prompt and quit.
    assert.equal(help.split('\n').length, 1 + 103 + 2);
    assert.equal(
      await cli(admin, 'set maxconn\n'),
      'Unknown command, but maybe one of the following ones is a better match:\n' +
        "  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting\n" +
        '  set maxconn global <value>              : change the per-process maxconn setting\n' +
        "  set maxconn server <bk>/<srv>           : change a server's maxconn setting\n" +
        '  help [<command>]                        : list matching or all commands\n' +
        '  prompt                                  : toggle interactive mode with prompt\n' +
        '  quit                                    : disconnect\n\n',
    );
    assert.match(await cli(admin, 'show ssl cert\n'), /^'show ssl cert' is not implemented yet \(pending: TLS\)\.\n\n$/);
  });

  test('levels: commands above the socket level are denied; a session can lower its level', async () => {
    assert.equal(await cli(user, 'set weight li/s1 50\n'), 'Permission denied\n\n');
    assert.equal(await cli(oper, 'set weight li/s1 50\n'), 'Permission denied\n\n');
    assert.equal(await cli(user, 'clear counters\n'), 'Permission denied\n\n');
    assert.equal(await cli(oper, 'clear counters all\n'), 'Permission denied\n\n');
    assert.equal(await cli(user, 'operator\n'), 'Permission denied\n\n');
    assert.equal(
      await cli(admin, 'operator;show cli level;user;show cli level;operator;show cli level\n'),
      '\noperator\n\n\nuser\n\nPermission denied\n\nuser\n\n',
    );
    assert.equal(await cli(user, 'get weight li/s1\n'), '100 (initial 100)\n\n');
  });

  test("lookup errors and argument errors are HAProxy's texts", async () => {
    const cases: [string, string][] = [
      ['get weight li/zz\n', 'No such server.\n\n'],
      ['get weight zz/s1\n', 'No such backend.\n\n'],
      ['get weight li\n', "Require 'backend/server'.\n\n"],
      ['set weight li/s1\n', 'Require <weight> or <weight%>.\n\n'],
      ['set weight li/s1 300\n', 'Absolute weight can only be between 0 and 256 inclusive.\n\n'],
      ['set weight li/s1 abc\n', 'Empty weight string empty or preceded by garbage\n'],
      ['set weight li/s1 5x\n', 'Trailing garbage in weight string\n'],
      ['set server li/s1 state foo\n', "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n"],
      ['set server li/s1 health foo\n', "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n\n"],
      ['set server li/s1 agent up\n', 'agent checks are not enabled on this server.\n\n'],
      [
        'set server li/s1\n',
        'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n\n',
      ],
      ['set maxconn server li/s1 abc\n', 'maxconn string empty or preceded by garbage\n'],
      ['set maxconn server li/s1\n', 'Require <maxconn>.\n\n'],
      ['set maxconn frontend zz 10\n', 'No such frontend.\n\n'],
      ['set maxconn frontend li\n', 'Integer value expected.\n\n'],
      ['set maxconn frontend li -5\n', 'Value out of range.\n\n'],
      ['set maxconn global\n', 'Expects an integer value.\n\n'],
      ['set maxconn global 99999\n', 'Value out of range.\n\n'],
      ['enable health li/s1\n', 'Health check was not configured on this server, cannot enable.\n\n'],
      ['enable agent li/s1\n', 'Agent was not configured on this server, cannot enable.\n\n'],
      ['show servers state nope\n', "Can't find backend.\n\n"],
      ['del server li/s1\n', 'Only servers in maintenance mode can be deleted.\n'],
      ['del server li/zz\n', 'No such server.\n'],
      ['set timeout foo\n', "'set timeout' only supports 'cli'.\n\n"],
      ['set severity-output number;get weight li/zz\n', '\n[3]: No such server.\n\n'],
    ];
    for (const [cmd, want] of cases) assert.equal(await cli(admin, cmd), want, cmd);
  });

  test('show stat: HAProxy 2.6 header, FRONTEND / servers / BACKEND rows with HAProxy ids', async () => {
    const out = await cli(admin, 'show stat\n');
    const lines = out.split('\n');
    assert.equal(lines[0], STAT_HEADER);
    assert.ok(out.endsWith('\n\n'));
    const rows = lines.slice(1, -2).map((l) => l.split(','));
    assert.deepEqual(rows.map((r) => `${r[0]}/${r[1]}`), ['li/FRONTEND', 'li/s1', 'li/s2', 'li/s3', 'li/BACKEND', 'other/o1', 'other/BACKEND']);
    const col = (name: string): number => STAT_HEADER.slice(2).split(',').indexOf(name);
    // The stats socket's own frontend takes id 1, as in HAProxy: li is 2, other 3.
    assert.deepEqual(rows.map((r) => r[col('iid')]), ['2', '2', '2', '2', '2', '3', '3']);
    assert.deepEqual(rows.map((r) => r[col('sid')]), ['0', '1', '2', '3', '0', '1', '0']);
    assert.equal(rows[0]![col('slim')], '500');
    assert.equal(rows[3]![col('slim')], '10');
    assert.equal(rows[1]![col('status')], 'no check');
    assert.equal(rows[4]![col('algo')], 'roundrobin');
    assert.equal(rows[1]![col('addr')]!.startsWith('127.0.0.1:'), true);
    // Every row has a cell per column, each followed by a comma.
    for (const r of rows) assert.equal(r.length, STAT_HEADER.slice(2).split(',').length);
    const typed = await cli(admin, 'show stat typed\n');
    assert.match(typed, /^F\.2\.0\.0\.pxname\.1:KNS:str:li\nF\.2\.0\.1\.svname\.1:KNS:str:FRONTEND\nF\.2\.0\.4\.scur\.1:MGP:u32:\d+\n/);
    assert.match(typed, /\nS\.2\.3\.6\.slim\.1:CLP:u32:10\n/);
    // Extra-module fields are numbered without the `-` column.
    assert.match(typed, /\nS\.2\.1\.103\.ssl_sess\.1:MCP:u64:0\n/);
    const json = JSON.parse(await cli(admin, 'show stat json\n')) as { objType: string; proxyId: number; id: number; field: { name: string } }[][];
    assert.deepEqual(json.map((o) => `${o[0]!.objType}:${o[0]!.proxyId}:${o[0]!.id}`), ['Frontend:2:0', 'Server:2:1', 'Server:2:2', 'Server:2:3', 'Backend:2:0', 'Server:3:1', 'Backend:3:0']);
  });

  test('show info: HAProxy fields in order, with this process', async () => {
    const out = await cli(admin, 'show info\n');
    const lines = out.split('\n');
    assert.deepEqual(lines.slice(0, 7).map((l) => l.split(': ')[0]), ['Name', 'Version', 'Release_date', 'Nbthread', 'Nbproc', 'Process_num', 'Pid']);
    assert.equal(lines[0], 'Name: HAProxy');
    assert.equal(lines[1], `Version: ${VERSION_WORD}`);
    assert.equal(lines[3], 'Nbthread: 2');
    assert.equal(lines[6], `Pid: ${pid}`);
    assert.match(out, /\nUptime: \dd \dh\d\dm\d\ds\nUptime_sec: \d+\n/);
    assert.match(out, /\nMaxconn: 500\nHard_maxconn: 500\nCurrConns: \d+\nCumConns: \d+\nCumReq: \d+\n/);
    assert.match(out, /\nTainted: 0\n\n$/);
    assert.match(await cli(admin, 'show info typed\n'), /^0\.Name\.1:POS:str:HAProxy\n1\.Version\.1:POS:str:/);
  });

  test('set weight changes the share of real connections; get weight reports it', async () => {
    assert.equal(await cli(admin, 'set weight li/s3 0\n'), '\n');
    assert.equal(await cli(admin, 'get weight li/s3\n'), '0 (initial 100)\n\n');
    assert.equal(await cli(admin, 'set weight li/s2 50%\n'), '\n');
    assert.equal(await cli(admin, 'get weight li/s2\n'), '50 (initial 100)\n\n');
    assert.deepEqual(count(await spread(port, 9)), { s1: 6, s2: 3 });
    assert.equal(await cli(admin, 'set server li/s2 weight 100\n'), '\n');
    assert.equal(await cli(admin, 'set weight li/s3 100%\n'), '\n');
    assert.deepEqual(count(await spread(port, 9)), { s1: 3, s2: 3, s3: 3 });
  });

  test('disable server: no traffic to it, admin state 1 in show servers state; enable brings it back', async () => {
    assert.equal(await cli(admin, 'disable server li/s1\n'), '\n');
    assert.deepEqual(count(await spread(port, 6)), { s2: 3, s3: 3 });
    const state = await cli(admin, 'show servers state li\n');
    assert.ok(state.startsWith(STATE_HEADER));
    const s1 = state.split('\n')[2]!.split(' ');
    assert.deepEqual([s1[0], s1[1], s1[2], s1[3], s1[5], s1[6], s1[7], s1[8]], ['2', 'li', '1', 's1', '0', '1', '100', '100']);
    assert.match((await cli(admin, 'show stat\n')).split('\n')[2]!, /^li,s1,.*,MAINT,/);
    assert.equal(await cli(admin, 'enable server li/s1\n'), '\n');
    assert.deepEqual(count(await spread(port, 6)), { s1: 2, s2: 2, s3: 2 });
  });

  test('set server state drain: no new traffic, DRAIN in show stat, admin flag 8', async () => {
    assert.equal(await cli(admin, 'set server li/s2 state drain\n'), '\n');
    assert.deepEqual(count(await spread(port, 4)), { s1: 2, s3: 2 });
    assert.match((await cli(admin, 'show stat\n')).split('\n')[3]!, /^li,s2,.*,DRAIN,/);
    assert.match(await cli(admin, 'show servers state li\n'), /\n2 li 2 s2 127\.0\.0\.1 2 8 100 100 \d+ 1 0 2 0 0 0 0 - \d+ - 0 0 - - 0\n/);
    assert.equal(await cli(admin, 'set server li/s2 state maint\n'), '\n');
    assert.match(await cli(admin, 'show servers state li\n'), /\n2 li 2 s2 127\.0\.0\.1 0 1 100 100 \d+ 1 0 0 0 0 0 0 - \d+ - 0 0 - - 0\n/);
    assert.equal(await cli(admin, 'set server li/s2 state ready\n'), '\n');
    assert.deepEqual(count(await spread(port, 3)), { s1: 1, s2: 1, s3: 1 });
  });

  test('set maxconn server shows in slim; clear counters all resets the totals', async () => {
    assert.equal(await cli(admin, 'set maxconn server li/s1 7\n'), '\n');
    const col = STAT_HEADER.slice(2).split(',');
    const row = (out: string, name: string): string[] => out.split('\n').find((l) => l.startsWith(`li,${name},`))!.split(',');
    assert.equal(row(await cli(admin, 'show stat\n'), 's1')[col.indexOf('slim')], '7');
    assert.notEqual(row(await cli(admin, 'show stat\n'), 'BACKEND')[col.indexOf('stot')], '0');
    assert.equal(await cli(admin, 'clear counters all\n'), '\n');
    assert.equal(row(await cli(admin, 'show stat\n'), 'BACKEND')[col.indexOf('stot')], '0');
    assert.equal(await cli(admin, 'set maxconn server li/s1 0\n'), '\n');
  });

  test('del server needs maintenance; the server is gone from every listing', async () => {
    assert.equal(await cli(admin, 'disable server other/o1\n'), '\n');
    assert.equal(await cli(admin, 'del server other/o1\n'), 'Server deleted.\n');
    assert.equal(await cli(admin, 'get weight other/o1\n'), 'No such server.\n\n');
    assert.equal(await cli(admin, 'show servers state other\n'), STATE_HEADER + '\n');
    // The deleted server's id is free again (HAProxy takes the lowest unused one).
    assert.equal(await cli(admin, 'add server other/o2 127.0.0.1:1\n'), 'New server registered.\n\n');
    assert.match(await cli(admin, 'show servers state other\n'), /\n\d+ other 1 o2 127\.0\.0\.1 0 1 1 1 \d+ 1 0 0 0 0 0 0 - 1 - 0 0 - - 0\n\n$/);
  });

  test('show backend, show errors, show pools, show cli sockets', async () => {
    assert.equal(await cli(admin, 'show backend\n'), '# name\nli\nother\n\n');
    assert.match(await cli(admin, 'show errors\n'), /^Total events captured on \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] : 0\n\n$/);
    assert.match(await cli(admin, 'show pools\n'), /^Dumping pools usage\. Use SIGQUIT to flush them\.\n/);
    assert.equal(
      await cli(admin, 'show cli sockets\n'),
      `# socket lvl processes\nunix@${admin} admin all\nunix@${user} user all\nunix@${oper} operator all\nipv4@127.0.0.1:${tcp} admin all\n\n`,
    );
  });
});

describe('server-state-file', { timeout: 60_000 }, () => {
  test('a second process takes back the admin states and weights saved with show servers state', async () => {
    const [a, b] = [await named('s1'), await named('s2')];
    const cfg = (sock: string, port: number, extra: string): string =>
      `global\n stats socket ${sock} level admin\n${extra}defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n load-server-state-from-file global\n` +
      `listen li\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${a} weight 10\n server s2 127.0.0.1:${b} weight 10\n server s3 127.0.0.1:${b} weight 10\n`;
    const first = start(cfg('@DIR@/one.sock', await freePort(), ''));
    const one = join(first.dir, 'one.sock');
    await socketReady(one);
    assert.equal(await cli(one, 'set weight li/s1 3;disable server li/s2;set server li/s3 state drain\n'), '\n\n\n');
    const saved = await cli(one, 'show servers state\n');
    const stateFile = join(first.dir, 'state');
    writeFileSync(stateFile, saved.slice(0, -1));

    const port = await freePort();
    const second = start(cfg('@DIR@/two.sock', port, ` server-state-file ${stateFile}\n`));
    const two = join(second.dir, 'two.sock');
    await socketReady(two);
    const lines = (await cli(two, 'show servers state\n')).split('\n').slice(2, 5).map((l) => l.split(' '));
    assert.deepEqual(lines.map((l) => [l[3], l[6], l[7], l[8]]), [
      ['s1', '0', '3', '10'],
      ['s2', '1', '10', '10'],
      ['s3', '8', '10', '10'],
    ]);
    assert.equal(await cli(two, 'get weight li/s1\n'), '3 (initial 10)\n\n');
    assert.deepEqual(count(await spread(port, 2)), { s1: 2 });
  });
});

describe('set maxconn frontend', { timeout: 60_000 }, () => {
  test('a lowered limit holds new clients back; raising it admits the one waiting', async () => {
    const held: net.Socket[] = [];
    const srv = net.createServer((c) => {
      c.on('error', () => undefined);
      held.push(c);
      srv.emit('held');
    });
    servers.push(srv);
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = await freePort();
    const p = start(
      `global\n stats socket @DIR@/mc.sock level admin\ndefaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n` +
        `listen h\n bind 127.0.0.1:${port}\n server x 127.0.0.1:${(srv.address() as net.AddressInfo).port}\n`,
    );
    const sock = join(p.dir, 'mc.sock');
    await socketReady(sock);
    assert.equal(await cli(sock, 'set maxconn frontend h 1\n'), '\n');
    const firstHeld = once(srv, 'held');
    const first = net.connect(port, '127.0.0.1');
    await firstHeld;
    const second = net.connect(port, '127.0.0.1');
    await once(second, 'connect');
    assert.equal(held.length, 1);
    const col = STAT_HEADER.slice(2).split(',');
    const fe = (await cli(sock, 'show stat\n')).split('\n')[1]!.split(',');
    assert.equal(fe[col.indexOf('slim')], '1');
    // Listening before asking: the waiting client is admitted as soon as the limit rises.
    const secondHeld = once(srv, 'held');
    assert.equal(await cli(sock, 'set maxconn frontend h 5\n'), '\n');
    await secondHeld;
    assert.equal(held.length, 2);
    first.destroy();
    second.destroy();
    for (const c of held) c.destroy();
  });
});

describe('stats socket configuration (switchyard -c), as haproxy -c words it', { timeout: 60_000 }, () => {
  const check = (global: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-c-'));
    const file = join(dir, 'c.cfg');
    writeFileSync(file, `global\n${global}\ndefaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten l\n bind 127.0.0.1:1\n server s 127.0.0.1:1\n`);
    const r = spawnSync(process.execPath, [BIN, '-c', '-f', file], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  };
  const cases: [string, string][] = [
    [' stats socket', "'stats socket' in global section expects an address or a path to a UNIX socket"],
    [' stats socket /tmp/x.sock level foo', "'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got 'foo')'"],
    [' stats socket /tmp/x.sock level', "'stats socket' : ''level' : missing level'"],
    [' stats socket /tmp/x.sock levl admin', "'stats socket' : unknown keyword 'levl'. Did you mean 'level' maybe ?"],
    [' stats socket /tmp/x.sock mode 8', "'stats socket' : ''mode' : missing or invalid mode '8' (octal integer expected)'"],
    [' stats socket /tmp/x.sock expose-fd foo', "'stats socket' : ''expose-fd' only supports 'listeners' (got 'foo')'"],
    [' stats socket 127.0.0.1', "'stats socket' : missing port specification in '127.0.0.1'"],
    [' stats timeout 0', "'stats timeout' expects a positive value"],
    [' stats timeout 5x', "'stats timeout' : unexpected character 'x'"],
    [' stats maxconn 0', "'stats maxconn' expects a positive value"],
    [' stats foo', "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got 'foo')"],
    [' server-state-file', "'server-state-file' expect one argument: a file path."],
  ];
  for (const [line, want] of cases) {
    test(line.trim(), () => {
      const out = check(line);
      assert.ok(out.includes(`parsing [`) && out.includes(want), out);
    });
  }
  test('a full stats socket line is valid', () => {
    assert.match(check(' stats socket /tmp/x.sock mode 600 level admin expose-fd listeners\n stats timeout 2m\n stats maxconn 5'), /Configuration file is valid/);
  });
});

describe('HTTP counters in show stat', { timeout: 60_000 }, () => {
  test('req_tot, hrsp_*, dreq, ereq, intercepted, bin/bout on the frontend; hrsp_2xx and bytes on the server', async () => {
    const origin = net.createServer((c) => {
      c.on('error', () => undefined);
      c.on('data', () => c.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    });
    servers.push(origin);
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
    const port = await freePort();
    const { dir } = start(
      `global\n stats socket @DIR@/s.sock level admin\ndefaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n` +
        `listen web\n bind 127.0.0.1:${port}\n http-request deny if { path /deny }\n http-request return status 200 if { path /ret }\n` +
        ` server s1 127.0.0.1:${(origin.address() as net.AddressInfo).port}\n`,
    );
    const sock = join(dir, 's.sock');
    await socketReady(sock);
    const ask = async (req: string): Promise<void> => {
      const c = await connectWhenUp(port);
      c.resume();
      c.write(req);
      await once(c, 'close');
    };
    await ask('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await ask('GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await ask('GET /deny HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await ask('GET /ret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await ask('GET / HTTP/1.1\r\nBad Header\r\n\r\n');
    const [header, ...rows] = (await cli(sock, 'show stat\n')).trim().split('\n');
    const cols = header!.slice(2).split(',');
    const row = (sv: string): Record<string, string> => {
      const cells = rows.find((r) => r.split(',')[1] === sv)!.split(',');
      return Object.fromEntries(cols.map((c, i) => [c, cells[i]!]));
    };
    const fe = row('FRONTEND');
    // Five requests, the malformed one included (haproxy 2.6.12 counts the same: 5, 3, 2, 1, 1, 1).
    assert.equal(fe['req_tot'], '5');
    assert.equal(fe['hrsp_2xx'], '3');
    assert.equal(fe['hrsp_4xx'], '2');
    assert.equal(fe['dreq'], '1');
    assert.equal(fe['ereq'], '1');
    assert.equal(fe['intercepted'], '1');
    assert.ok(Number(fe['bin']) > 0 && Number(fe['bout']) > 0);
    const s1 = row('s1');
    assert.equal(s1['hrsp_2xx'], '2');
    assert.ok(Number(s1['bin']) > 0 && Number(s1['bout']) > 0);
  });
});
