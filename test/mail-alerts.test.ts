// Email alerts against an SMTP relay on loopback: HAProxy 2.6's dialogue and message (the
// transcript below was recorded from haproxy 2.6.12 on the same configuration, Date aside),
// the level filter, and the configuration messages of `mailers` and `email-alert`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EventEmitter, once } from 'node:events';
import { freePort } from './helpers/net.js';
import { checkConfigText, startSwitchyard } from './helpers/proc.js';

/**
 * A relay answering each command, recording each session's bytes when it ends. `hangFirst`:
 * its first session gets no greeting at all (a relay that never answers).
 */
async function relay(hangFirst = false): Promise<{ port: number; sessions: string[]; connections(): number; connected(n: number): Promise<void>; next(): Promise<string>; close(): void }> {
  const sessions: string[] = [];
  const ev = new EventEmitter();
  let connections = 0;
  const srv = net.createServer((c) => {
    const first = connections++ === 0;
    ev.emit('connection');
    if (first && hangFirst) return void c.on('error', () => undefined);
    let buf = '';
    let all = '';
    let data = false;
    c.setEncoding('latin1');
    c.write('220 relay ESMTP\r\n');
    c.on('error', () => undefined);
    c.on('data', (d: string) => {
      buf += d;
      all += d;
      for (;;) {
        if (data) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buf = buf.slice(end + 5);
          data = false;
          c.write('250 queued\r\n');
          continue;
        }
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        const line = buf.slice(0, eol);
        buf = buf.slice(eol + 2);
        if (line === 'DATA') {
          data = true;
          c.write('354 go ahead\r\n');
        } else if (line === 'QUIT') c.end('221 bye\r\n');
        else c.write('250 ok\r\n');
      }
    });
    c.on('close', () => {
      sessions.push(all);
      ev.emit('session', all);
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  let seen = 0;
  return {
    port: (srv.address() as net.AddressInfo).port,
    sessions,
    connections: () => connections,
    connected: async (n) => {
      while (connections < n) await once(ev, 'connection');
    },
    next: async () => (seen < sessions.length ? sessions[seen++]! : (seen++, ((await once(ev, 'session')) as [string])[0])),
    close: () => srv.close(),
  };
}

test('email-alert: a server going DOWN is mailed through each mailer with HAProxy\'s dialogue; level notice also mails UP', { timeout: 30_000 }, async (t) => {
  const r1 = await relay();
  const r2 = await relay();
  t.after(() => {
    r1.close();
    r2.close();
  });
  const dead = await freePort();
  const port = await freePort();
  const later = net.createServer((c) => c.destroy());
  t.after(() => later.close());
  const p = startSwitchyard(
    `mailers m\n mailer a 127.0.0.1:${r1.port}\n mailer b 127.0.0.1:${r2.port}\n timeout mail 5s\n` +
      'defaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n' +
      `listen b\n bind 127.0.0.1:${port}\n email-alert mailers m\n email-alert from haproxy@test\n email-alert to ops@test\n email-alert myhostname mx.test\n email-alert level notice\n` +
      ` server s1 127.0.0.1:${dead} check inter 100 fall 1 rise 1\n`,
  );
  const msg = 'Server b/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: [0-9]+ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue';
  const transcript = new RegExp(
    '^HELO mx\\.test\\r\\nMAIL FROM:<haproxy@test>\\r\\nRCPT TO:<ops@test>\\r\\nDATA\\r\\nFrom: haproxy@test\\r\\nTo: ops@test\\r\\n' +
      'Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [+-][0-9]{4} \\([^)]+\\)\\r\\n' +
      `Subject: \\[HAProxy Alert\\] ${msg}\\r\\n\\r\\n${msg}\\r\\n\\r\\n\\.\\r\\nQUIT\\r\\n$`,
  );
  for (const r of [r1, r2]) assert.match(await r.next(), transcript);
  await p.waitFor(/is DOWN/);
  // Back UP: a notice, mailed at `email-alert level notice`.
  later.listen(dead, '127.0.0.1');
  await once(later, 'listening');
  assert.match(await r1.next(), /Subject: \[HAProxy Alert\] Server b\/s1 is UP, reason: Layer4 check passed, check duration: [0-9]+ms\. 1 active and 0 backup servers online\. 0 sessions requeued, 0 total in queue\r\n/);
});

test('mailers and email-alert: haproxy -c 2.6.12\'s messages', () => {
  const cfg = (lines: string): string =>
    `mailers m\n mailer smtp1 127.0.0.1:2525\n timeout mail 5s\ndefaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\nbackend b\n ${lines}\n server s 127.0.0.1:1\n`;
  const ignored =
    "[WARNING]  (PID) : config : 'email-alert' will be ignored for backend 'b' (the presence any of 'email-alert from', 'email-alert level' 'email-alert mailers', 'email-alert myhostname', or 'email-alert to' requires each of 'email-alert from', 'email-alert mailers' and 'email-alert to' to be present).";
  const removed = "[WARNING]  (PID) : config : Removing incomplete section 'mailers m'.";
  const lines = (text: string): string[] => checkConfigText(text).err.split('\n').filter((l) => /^\[(WARNING|ALERT)\]/.test(l));
  assert.deepEqual(lines(cfg('email-alert mailers m')), [ignored, removed]);
  assert.deepEqual(lines(cfg('email-alert from a@b')), [ignored, removed]);
  assert.deepEqual(lines(cfg('email-alert mailers nosuch\n email-alert from a@b\n email-alert to c@d')).slice(0, 2), [
    "[ALERT]    (PID) : config : Proxy 'b': unable to find mailers 'nosuch'.",
    removed,
  ]);
  assert.deepEqual(lines(cfg('email-alert mailers m\n email-alert from a@b\n email-alert to c@d')), []);
  assert.equal(lines(cfg('email-alert level bogus'))[0], "[ALERT]    (PID) : config : parsing [t.cfg:10] : unknown log level 'level' after 'bogus'");
  assert.equal(lines(cfg('email-alert'))[0], "[ALERT]    (PID) : config : parsing [t.cfg:10] : missing argument after 'email-alert'.");
  assert.equal(lines(cfg('email-alert foo x'))[0], "[ALERT]    (PID) : config : parsing [t.cfg:10] : email-alert: unknown argument 'foo'.");
  const section = (body: string): string => lines(`mailers m\n${body}\n`)[0] ?? '';
  assert.equal(section(' mailer'), "[ALERT]    (PID) : config : parsing [t.cfg:2] : 'mailer' expects <name> and <addr>[:<port>] as arguments.");
  assert.equal(section(' mailer a b'), "[ALERT]    (PID) : config : parsing [t.cfg:2] : 'mailer a' : missing port specification in 'b'");
  assert.equal(section(' timeout mail'), "[ALERT]    (PID) : config : parsing [t.cfg:2] : 'timeout mail' expects <time> as argument.");
});

test('email-alert with `timeout check`: a relay that never answers is given up after it, not after `timeout mail`', { timeout: 15_000 }, async (t) => {
  // The first session hangs (no greeting); the next ones are served.
  const r = await relay(true);
  t.after(() => r.close());
  const dead = await freePort();
  const port = await freePort();
  const later = net.createServer((c) => c.destroy());
  t.after(() => later.close());
  startSwitchyard(
    `mailers m\n mailer a 127.0.0.1:${r.port}\n timeout mail 30s\n` +
      'defaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n timeout check 300ms\n' +
      `listen b\n bind 127.0.0.1:${port}\n email-alert mailers m\n email-alert from a@test\n email-alert to b@test\n email-alert level notice\n` +
      ` server s1 127.0.0.1:${dead} check inter 100 fall 1 rise 1\n`,
  );
  // The DOWN alert hangs on the silent session; the UP alert goes out once it is given up.
  await r.connected(1);
  later.listen(dead, '127.0.0.1');
  await once(later, 'listening');
  assert.match(await r.next(), /Subject: \[HAProxy Alert\] Server b\/s1 is UP/);
  assert.equal(r.connections(), 2, 'the hung alert was not retried');
});
