// `show sess` and `shutdown session <id>` over the stats socket: the worker threads' client
// sessions are listed (spliced TCP, JS TCP, HTTP) with the backend and server they were
// given, one is ended by id, and the errors are
// HAProxy 2.6.12's words for the same commands.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, connectWhenUp } from './helpers/net.js';
import { startSwitchyard } from './helpers/proc.js';
import { cli, socketReady } from './helpers/cli.js';
import { humanTime } from '../src/api/cmd-misc.js';

const servers: net.Server[] = [];
const clients: net.Socket[] = [];
after(() => {
  for (const c of clients) c.destroy();
  for (const s of servers) s.close();
});

/** Origin sockets that received a POST (never answered). */
const posted: net.Socket[] = [];

/** An origin that keeps every connection open, answers GETs with 200 and never answers POSTs. */
async function origin(): Promise<number> {
  const s = net.createServer((c) => {
    c.on('error', () => undefined);
    c.on('data', (d) => {
      if (String(d).startsWith('GET')) c.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      else if (String(d).startsWith('POST')) {
        posted.push(c);
        s.emit('posted');
      }
    });
  });
  servers.push(s);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as net.AddressInfo).port;
}

/** A client connection held open through the proxy, once the origin answered it. */
async function hold(port: number, http: boolean): Promise<net.Socket> {
  const c = await connectWhenUp(port);
  clients.push(c);
  c.on('error', () => undefined);
  if (http) {
    c.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(c, 'data');
  } else {
    // Any byte through proves the session reached its server.
    c.write('x');
  }
  return c;
}

for (const native of [true, false]) {
  test(`show sess lists the workers' client sessions; shutdown session ends one (${native ? 'native accept and splice' : 'without the addon'})`, { timeout: 30_000 }, async () => {
    const o = await origin();
    const [tcpPort, httpPort] = [await freePort(), await freePort()];
    const sock = join(mkdtempSync(join(tmpdir(), 'sy-sess-')), 'admin.sock');
    const p = startSwitchyard(
      `global\n nbthread 2\n stats socket ${sock} level admin\n stats socket ${sock}.op level operator\n` +
        `defaults\n timeout connect 1s\n timeout client 30s\n timeout server 30s\n` +
        `listen t\n mode tcp\n bind 127.0.0.1:${tcpPort}\n server s1 127.0.0.1:${o}\n` +
        `listen h\n mode http\n bind 127.0.0.1:${httpPort}\n server s1 127.0.0.1:${o}\n`,
      native ? undefined : { ...process.env, SWITCHYARD_NO_NATIVE: '1' },
    );
    await socketReady(sock);
    const t1 = await hold(tcpPort, false);
    const t2 = await hold(tcpPort, false);
    const h1 = await hold(httpPort, true);
    // A session is listed from its accept and shows its server from its connection attempt,
    // on a worker thread: the listing is taken once all three show theirs.
    let out = '';
    for (let i = 0; i < 200 && (out.match(/ srv=s1 /g) ?? []).length < 3; i++) out = await cli(sock, 'show sess\n');
    const line = (c: net.Socket): string | undefined => out.split('\n').find((l) => l.includes(` src=127.0.0.1:${c.localPort} `));
    for (const [c, fe] of [
      [t1, 't'],
      [t2, 't'],
      [h1, 'h'],
    ] as const) {
      assert.match(line(c) ?? '', new RegExp(`^0x[0-9a-f]{12}: proto=tcpv4 src=127\\.0\\.0\\.1:${c.localPort} fe=${fe} be=${fe} srv=s1 ts=00 epoch=0 age=\\d+s calls=\\d+ rate=0 cpu=0 lat=0$`), out);
    }
    assert.match(out, /: proto=unix_stream src=unix:1 fe=GLOBAL be=<NONE> srv=<none> /, 'the CLI session itself is listed, as in HAProxy');
    const id = line(t1)!.split(':')[0]!;
    const ageless = (s: string): string => s.replace(/age=\d+s/, 'age=Ns');
    assert.equal(ageless(await cli(sock, `show sess ${id}\n`)), `${ageless(line(t1)!)}\n\n`);
    assert.equal(await cli(sock, 'show sess 0x1234\n'), 'Session not found.\n\n');
    // Ending one: its client sees the close, the others stay.
    assert.equal(await cli(`${sock}.op`, `shutdown session ${id}\n`), 'Permission denied\n\n');
    const closed = once(t1, 'close');
    assert.equal(await cli(sock, `shutdown session ${id}\n`), '\n');
    await closed;
    assert.equal(await cli(sock, `shutdown session ${id}\n`), "No such session (use 'show sess').\n\n");
    assert.equal(await cli(sock, 'shutdown session\n'), "Session pointer expected (use 'show sess').\n\n");
    assert.equal(await cli(sock, 'shutdown session zz\n'), "Session pointer expected (use 'show sess').\n\n");
    const after = await cli(sock, 'show sess\n');
    assert.ok(!after.includes(`${id}:`), after);
    assert.ok(after.includes(` src=127.0.0.1:${t2.localPort} `) && after.includes(` src=127.0.0.1:${h1.localPort} `), after);
    assert.ok(!t2.destroyed && !h1.destroyed);
    // An HTTP session waiting for its server: both sides end (HAProxy's stream_shutdown).
    const waiting = await connectWhenUp(httpPort);
    clients.push(waiting);
    waiting.on('error', () => undefined);
    const nPosted = posted.length;
    waiting.write('POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n');
    while (posted.length === nPosted) await once(servers[servers.length - 1]!, 'posted');
    const serverSide = posted.at(-1)!;
    const rows = await cli(sock, 'show sess\n');
    const wid = rows.split('\n').find((l) => l.includes(` src=127.0.0.1:${waiting.localPort} `))!.split(':')[0]!;
    // (Closed, by a reset or a FIN: `once` would reject on the reset's 'error'.)
    const ended = (c: net.Socket): Promise<void> => new Promise((r) => (c.destroyed ? r() : c.on('close', () => r())));
    const both = Promise.all([ended(waiting), ended(serverSide)]);
    assert.equal(await cli(sock, `shutdown session ${wid}\n`), '\n');
    await both;
    // A CLI session can be ended too: an interactive one, opened before the listing.
    const inter = net.connect(sock);
    inter.on('error', () => undefined);
    inter.write('prompt\n');
    await once(inter, 'data');
    const cliRows = (await cli(sock, 'show sess\n')).split('\n').filter((l) => l.includes('proto=unix_stream'));
    // The oldest CLI session listed is the interactive one (the asking one is the newest).
    const cliIds = cliRows.map((l) => parseInt(l.slice(2, l.indexOf(':')), 16)).sort((a, b) => a - b);
    const interClosed = new Promise<void>((r) => inter.on('close', () => r()));
    assert.equal(await cli(sock, `shutdown session 0x${cliIds[0]!.toString(16)}\n`), '\n');
    await interClosed;
    // Several commands on one line are answered in order, the awaited ones included.
    const chained = await cli(sock, 'show sess 0x1234; show cli level; shutdown session 0x7fffffff\n');
    assert.equal(chained, "Session not found.\n\nadmin\n\nNo such session (use 'show sess').\n\n");
    p.child.kill('SIGTERM');
  });
}

test("show sess ages read as HAProxy's human_time: two units at most", () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [45, '45s'],
    [90, '1m30s'],
    [3600, '1h'],
    [3725, '1h2m'],
    [86400 + 60, '1d1m'],
    [2 * 86400 + 3 * 3600 + 59, '2d3h'],
  ];
  for (const [s, want] of cases) assert.equal(humanTime(s), want, `${s} s`);
});
