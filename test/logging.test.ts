// Logging as HAProxy 2.6 does it without a log format: `log` targets (UDP syslog, stdout,
// a unix datagram socket), their header formats and severity filters, `log global` and the
// proxies' lists, server state changes at notice/alert, "no server available" at emerg, and
// one "Connect from" line per TCP session and per HTTP request. Expected lines were recorded
// from haproxy 2.6.12 on the same configurations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, connectWhenUp } from './helpers/net.js';
import { checkConfigText, startSwitchyard } from './helpers/proc.js';
import { syslogLine } from '../src/log/syslog.js';
import { parseLogTarget, type LogTarget } from '../src/log/target.js';

/** A UDP syslog receiver: the datagrams as text, awaited by pattern. */
async function receiver(): Promise<{ port: number; lines: string[]; next(re: RegExp): Promise<string>; count(re: RegExp, n: number): Promise<string[]>; close(): void }> {
  const s = dgram.createSocket('udp4');
  const lines: string[] = [];
  let waiters: (() => boolean)[] = [];
  s.on('message', (m) => {
    lines.push(m.toString('utf8'));
    waiters = waiters.filter((w) => !w());
  });
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  /** The first `n` lines matching `re`, once there are that many. */
  const count = (re: RegExp, n: number): Promise<string[]> =>
    new Promise((resolve) => {
      const check = (): boolean => {
        const hits = lines.filter((l) => re.test(l));
        if (hits.length < n) return false;
        resolve(hits.slice(0, n));
        return true;
      };
      if (!check()) waiters.push(check);
    });
  return { port: s.address().port, lines, next: async (re) => (await count(re, 1))[0]!, count, close: () => s.close() };
}

const LEGACY = '[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]';
const ISO = '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}';
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test('log lines: HAProxy\'s parse messages (haproxy -c 2.6.12)', () => {
  const cases: [string, string][] = [
    ['log 127.0.0.1:5514 local9', "log : unknown log facility 'local9'"],
    ['log 127.0.0.1:5514 local0 foo', "log : unknown optional log level 'foo'"],
    ['log 127.0.0.1:5514 local0 info foo', "log : unknown optional minimum log level 'foo'"],
    ['log 127.0.0.1:5514 format bogus local0', "log : unknown log format 'bogus'"],
    ['log 127.0.0.1:5514', 'log : expects <address> and <facility>  as arguments'],
    ['log 127.0.0.1:5514 local0 info notice extra', "log : cannot handle unexpected argument 'extra'"],
    ['log 127.0.0.1:99999 local0', "log : invalid port '99999'"],
    ['log global', "log : 'global' is not supported for a global syslog server"],
    ['log bogus:host local0', "log : invalid character 'h' in port number 'host' in 'bogus:host'"],
    ['log 127.0.0.1:5514 len 79 local0', "log : invalid log length '79', must be between 80 and 65535"],
    ['log 127.0.0.1:5514 len 65536 local0', "log : invalid log length '65536', must be between 80 and 65535"],
    ['log fd@x local0', "log : file descriptor 'x' is not a valid integer in 'fd@x'"],
    ['log-tag foo bar', "'log-tag' cannot handle unexpected argument 'bar'."],
  ];
  for (const [line, msg] of cases) {
    const r = checkConfigText(`global\n ${line}\n`);
    assert.equal(r.code, 1, line);
    assert.equal(r.err.split('\n').find((l) => l.startsWith('[ALERT]')), `[ALERT]    (PID) : config : parsing [t.cfg:2] : ${msg}`, line);
  }
  const proxyCases: [string, string][] = [
    ['log global extra', "log : unknown log facility 'extra'"],
    ['no log x', "log : 'no log' does not expect arguments"],
    ['log', 'log : expects <address> and <facility> or global as arguments'],
    ['log-tag', "'log-tag' expects a tag for use in syslog."],
  ];
  for (const [line, msg] of proxyCases) {
    const r = checkConfigText(`defaults\n mode tcp\nfrontend f\n bind 127.0.0.1:1\n ${line}\n`);
    assert.equal(r.code, 1, line);
    assert.ok(r.err.includes(`[ALERT]    (PID) : config : parsing [t.cfg:5] : ${msg}\n`), `${line}: ${r.err}`);
  }
  // Accepted: every format, udp@/ipv4@ prefixes, stdout and fd@, len, levels, `no log`.
  const ok = checkConfigText(
    'global\n log 127.0.0.1:5514 format rfc5424 local0\n log udp@127.0.0.1 len 200 format short local1 info err\n log stdout format raw local0\n log fd@2 local0\n log /dev/log local0\n log-send-hostname\n' +
      'defaults\n mode tcp\n log global\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nlisten l\n bind 127.0.0.1:1\n no log\n log ipv4@127.0.0.1:514 format timed daemon\n server s 127.0.0.1:2\n',
  );
  assert.equal(ok.code, 0, ok.err);
});

test('header formats, severity filters and truncation, as haproxy writes them', () => {
  const id = { tag: 'haproxy', pid: 4242, hostname: '' };
  const at = Date.UTC(2026, 10, 3, 4, 5, 6) * 1000 + 554373;
  const line = (spec: string, level: number, msg: string, host = ''): string | null => {
    const r = parseLogTarget(spec.split(' '));
    assert.ok(r.ok, spec);
    const b = syslogLine((r as { target: LogTarget }).target, level, msg, { ...id, hostname: host }, at);
    return b && b.toString();
  };
  const msg = 'Server l/s1 is DOWN.';
  assert.match(line('127.0.0.1 local0', 1, msg)!, new RegExp(`^<129>${LEGACY} haproxy\\[4242\\]: ${esc(msg)}\\n$`));
  assert.match(line('127.0.0.1 local0', 1, msg, 'edge1')!, new RegExp(`^<129>${LEGACY} edge1 haproxy\\[4242\\]: ${esc(msg)}\\n$`), 'log-send-hostname: RFC3164');
  assert.match(line('127.0.0.1 format rfc3164 local0', 1, msg)!, new RegExp(`^<129>${LEGACY} localhost haproxy\\[4242\\]: `));
  assert.match(line('127.0.0.1 format local local0', 6, msg, 'edge1')!, new RegExp(`^<134>${LEGACY} haproxy\\[4242\\]: `));
  assert.match(line('127.0.0.1 format rfc5424 local1', 5, msg)!, new RegExp(`^<141>1 ${ISO} - haproxy 4242 - - ${esc(msg)}\\n$`));
  assert.equal(line('127.0.0.1 format priority local0', 6, msg), `<134>${msg}\n`);
  assert.equal(line('127.0.0.1 format short local0', 6, msg), `<6>${msg}\n`);
  assert.match(line('127.0.0.1 format timed local0', 0, msg)!, new RegExp(`^<0>${ISO} ${esc(msg)}\\n$`));
  assert.match(line('127.0.0.1 format iso local0', 0, msg)!, new RegExp(`^${ISO} ${esc(msg)}\\n$`));
  assert.equal(line('127.0.0.1 format raw local0', 6, msg), `${msg}\n`);
  // Level: a maximum; minlevel: more severe messages are sent at it (local0 + err = 131).
  assert.equal(line('127.0.0.1 local1 notice', 6, msg), null);
  assert.match(line('127.0.0.1 local0 notice err', 1, msg)!, /^<131>/);
  // len: the line is cut to len bytes, then its newline (haproxy: 80 + 1).
  const long = line('127.0.0.1 len 80 format raw local0', 6, 'x'.repeat(200))!;
  assert.equal(long, `${'x'.repeat(80)}\n`);
});

test('syslog over UDP: server state changes at alert/notice, no server at emerg, one "Connect from" per TCP session and per HTTP request', { timeout: 30_000 }, async (t) => {
  const all = await receiver();
  const notices = await receiver();
  t.after(() => {
    all.close();
    notices.close();
  });
  const dead = await freePort();
  const tcpPort = await freePort();
  const httpPort = await freePort();
  const p = startSwitchyard(
    `global\n log 127.0.0.1:${all.port} local0\n log 127.0.0.1:${notices.port} format rfc5424 local1 notice\n log-tag sytest\n` +
      'defaults\n mode tcp\n log global\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n' +
      `listen l\n bind 127.0.0.1:${tcpPort}\n server s1 127.0.0.1:${dead} check inter 100 fall 1\n` +
      `frontend h\n mode http\n bind 127.0.0.1:${httpPort}\n http-request return status 200 content-type text/plain string ok\n`,
  );
  const down = 'Server l/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: [0-9]+ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.';
  assert.match(await all.next(/is DOWN/), new RegExp(`^<129>${LEGACY} sytest\\[${p.child.pid}\\]: ${down.replace(/\./g, '\\.')}\\n$`));
  assert.match(await all.next(/no server/), new RegExp(`^<128>${LEGACY} sytest\\[${p.child.pid}\\]: proxy l has no server available!\\n$`));
  assert.match(await notices.next(/is DOWN/), new RegExp(`^<137>1 ${ISO} - sytest ${p.child.pid} - - Server l/s1 is DOWN`));
  assert.match(await notices.next(/no server/), /^<136>1 /);
  await p.waitFor(/has no server available/);

  const c = await connectWhenUp(tcpPort);
  const cport = c.localPort;
  c.destroy();
  assert.match(await all.next(/\(l\/TCP\)/), new RegExp(`^<134>${LEGACY} sytest\\[${p.child.pid}\\]: Connect from 127\\.0\\.0\\.1:${cport} to 127\\.0\\.0\\.1:${tcpPort} \\(l/TCP\\)\\n$`));

  // Two requests on one connection: two streams, two lines.
  const h = net.connect(httpPort, '127.0.0.1');
  await once(h, 'connect');
  const hport = h.localPort;
  h.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
  let got = '';
  h.setEncoding('latin1');
  while ((got.match(/HTTP\/1\.1 200/g) ?? []).length < 2) got += ((await once(h, 'data')) as [string])[0];
  h.destroy();
  const httpLines = await all.count(/\(h\/HTTP\)/, 2);
  assert.equal(all.lines.filter((l) => l.includes('(h/HTTP)')).length, 2, 'one line per request, none for the connection');
  for (const l of httpLines) assert.match(l, new RegExp(`Connect from 127\\.0\\.0\\.1:${hport} to 127\\.0\\.0\\.1:${httpPort} \\(h/HTTP\\)\\n$`));
  assert.equal(notices.lines.filter((l) => l.includes('Connect from')).length, 0, 'info lines stay out of a notice logger');
});

test('log stdout format raw: the lines on standard output; a unix datagram socket (socat) gets them too', { timeout: 30_000 }, async (t) => {
  const dead = await freePort();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sy-log-'));
  const sockPath = join(dir, 'log.sock');
  const haveSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
  const socat = haveSocat ? spawn('socat', ['-u', `UNIX-RECV:${sockPath}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'ignore'] }) : null;
  let fromSocket = '';
  socat?.stdout!.on('data', (d: Buffer) => (fromSocket += d.toString()));
  if (socat) while (spawnSync('test', ['-S', sockPath]).status !== 0) await new Promise((r) => setTimeout(r, 20));
  t.after(() => {
    socat?.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const p = startSwitchyard(
    `global\n log fd@99 local0\n log stdout format raw local0\n${socat ? ` log ${sockPath} local0\n` : ''}defaults\n mode tcp\n log global\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n` +
      `listen l\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${dead} check inter 100 fall 1\n`,
    undefined,
    true,
  );
  let out = '';
  p.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('has no server available!\n')) await once(p.child.stdout!, 'data');
  assert.match(out, /^Server l\/s1 is DOWN, reason: Layer4 connection problem, [^\n]*\nproxy l has no server available!\n/);
  // A logger that cannot write (fd 99 is not open) is said once, as haproxy says it.
  await p.waitFor(/failed in logger/);
  assert.deepEqual(p.messages().filter((l) => l.includes('failed in logger')), ['[ALERT]    sendmsg()/writev() failed in logger #1: Bad file descriptor (errno=9)']);
  if (socat) {
    while (!fromSocket.includes('has no server available!')) await new Promise((r) => setTimeout(r, 20));
    assert.match(fromSocket, new RegExp(`<128>${LEGACY} [^\\[]+\\[${p.child.pid}\\]: proxy l has no server available!\\n`));
  }
});

test('`log global` in defaults and again in a proxy logs once; a frontend and a backend of one name keep their own loggers; soft stop says "Proxy NAME stopped" as haproxy', { timeout: 30_000 }, async (t) => {
  const fe = await receiver();
  const be = await receiver();
  t.after(() => {
    fe.close();
    be.close();
  });
  const dead = await freePort();
  const port = await freePort();
  const origin = net.createServer((c) => c.end('hi'));
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  t.after(() => origin.close());
  const alive = (origin.address() as net.AddressInfo).port;
  const p = startSwitchyard(
    `global\n log 127.0.0.1:${fe.port} local0\ndefaults\n mode tcp\n log global\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n` +
      `frontend web\n log global\n bind 127.0.0.1:${port}\n default_backend web\n` +
      `backend web\n no log\n log 127.0.0.1:${be.port} local1\n server s1 127.0.0.1:${dead} check inter 100 fall 1\n server s2 127.0.0.1:${alive}\n`,
  );
  // The backend's state changes go to the backend's own logger only (alert, local1: 137).
  assert.match(await be.next(/is DOWN/), /^<137>/);
  const c = await connectWhenUp(port);
  c.resume();
  await once(c, 'close');
  await fe.next(/\(web\/TCP\)/);
  assert.equal(fe.lines.filter((l) => l.includes('(web/TCP)')).length, 1, 'one line, not one per `log global`');
  assert.equal(fe.lines.filter((l) => l.includes('is DOWN')).length, 0, "the frontend's logger does not get the backend's events");
  // SIGUSR1: each proxy says how many connections it took (haproxy 2.6.12's lines).
  const from = p.lines.length;
  p.child.kill('SIGUSR1');
  await once(p.child, 'exit');
  assert.deepEqual(
    p.messages().slice(from).filter((l) => l.includes(' stopped (')),
    [
      '[WARNING]  Proxy web stopped (cumulated conns: FE: 1, BE: 0).',
      '[WARNING]  Proxy web stopped (cumulated conns: FE: 0, BE: 1).',
      '[WARNING]  Proxy <HTTPCLIENT> stopped (cumulated conns: FE: 0, BE: 0).',
    ],
  );
  assert.match(await be.next(/Proxy web stopped/), /^<140>.*Proxy web stopped \(cumulated conns: FE: 0, BE: 1\)\.\n$/);
  assert.match(await fe.next(/Proxy web stopped/), /Proxy web stopped \(cumulated conns: FE: 1, BE: 0\)\.\n$/);
});

test('a unix log socket that is missing is said once, as haproxy says its sendto error', { timeout: 30_000 }, async () => {
  const dead = await freePort();
  const port = await freePort();
  const p = startSwitchyard(
    `global\n log /nonexistent-dir/log.sock local0\n log stdout format raw local0\ndefaults\n mode tcp\n log global\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n` +
      `listen l\n bind 127.0.0.1:${port}\n server s1 127.0.0.1:${dead} check inter 100 fall 1\n`,
    undefined,
    true,
  );
  let out = '';
  p.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('has no server available!\n')) await once(p.child.stdout!, 'data');
  await p.waitFor(/failed in logger/);
  // Two lines could not go to logger #1; haproxy 2.6.12 says it once.
  assert.deepEqual(p.messages().filter((l) => l.includes('failed in logger')), ['[ALERT]    sendmsg()/writev() failed in logger #1: No such file or directory (errno=2)']);
});
