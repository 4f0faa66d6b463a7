// Error pages end to end: `errorfile`, `errorfiles` + `http-errors` sections, `errorloc302/303`
// and `http-error`, the backend's page before the frontend's, and how replies mark the
// connection (`connection: close` / `keep-alive`). Every expected byte below was recorded
// from haproxy 2.6.12 on the same configuration and requests.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers/net.js';
import { startPlane, stopPlanes } from './helpers/plane.js';
import { send } from './helpers/http.js';
import { mainOrPlan } from '../src/cli/main.js';

after(async () => {
  await stopPlanes();
});

const dir = mkdtempSync(join(tmpdir(), 'sy-errfiles-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const DEFAULTS = 'defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';

async function start(text: string): Promise<void> {
  await startPlane(text, { threads: 1 });
}

const raw = async (port: number, req: string, n = 1): Promise<string[]> => (await send(port, req, n)).map((a) => a.raw);
const CLOSE = 'HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

/** Everything the proxy sends until it closes (errorfiles need not carry a content-length). */
function untilClose(port: number, req: string): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1' }, () => c.write(req));
    let got = '';
    c.on('data', (d) => (got += d.toString('latin1')));
    c.on('error', () => undefined);
    c.on('close', () => resolve(got));
  });
}

describe('error pages', () => {
  let fe = 0;
  let fe2 = 0;
  test('start', async () => {
    const e503 = file('e503.http', 'HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\nX-Custom: yes\r\n\r\n<html>custom 503</html>\n');
    const e403 = file('e403.http', 'HTTP/1.0 403 Forbidden\nContent-Type: text/plain\n\nfe403\n');
    const fe502 = file('fe502.http', 'HTTP/1.1 502 X\r\nContent-Length: 4\r\n\r\nfe5\n');
    const dead = await freePort();
    fe = await freePort();
    fe2 = await freePort();
    await start(
      `${DEFAULTS}http-errors myerrs\n errorfile 403 ${e403}\n` +
        `frontend fe\n bind 127.0.0.1:${fe}\n errorfile 400 ${fe502}\n errorfile 502 ${fe502}\n errorfile 503 ${fe502}\n` +
        ` http-request deny if { path /deny }\n use_backend none if { path /none }\n use_backend plain if { path /plain }\n default_backend be\n` +
        `backend be\n errorfile 503 ${e503}\n errorloc 502 http://example.com/err502\n server s1 127.0.0.1:${dead}\n` +
        `backend none\n errorloc303 503 /sorry\n` +
        `backend plain\n server s1 127.0.0.1:${dead}\n` +
        `frontend fe2\n bind 127.0.0.1:${fe2}\n errorfiles myerrs\n http-error status 503 content-type text/plain string "he503" hdr X-A b\n` +
        ` http-request deny if { path /deny }\n default_backend be2\n` +
        `backend be2\n server s1 127.0.0.1:${dead}\n`,
    );
  });

  test('the backend\'s errorfile is sent as written, without its Connection header', async () => {
    assert.equal(
      await untilClose(fe, `GET / ${CLOSE}`),
      'HTTP/1.0 503 Service Unavailable\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nx-custom: yes\r\n\r\n<html>custom 503</html>\n',
    );
  });

  test('the frontend\'s page when the backend has none; the built-in one when neither has', async () => {
    assert.deepEqual(await raw(fe, `GET /plain ${CLOSE}`), ['HTTP/1.1 502 X\r\ncontent-length: 4\r\nconnection: close\r\n\r\nfe5\n']);
    const [deny] = await raw(fe, `GET /deny ${CLOSE}`);
    assert.match(deny!, /^HTTP\/1\.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\nconnection: close\r\n\r\n/);
  });

  test('errorloc303 answers a redirect in place of the page', async () => {
    assert.deepEqual(await raw(fe, `GET /none ${CLOSE}`), ['HTTP/1.1 303 See Other\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: /sorry\r\nconnection: close\r\n\r\n']);
  });

  test('the HTTP/1 layer\'s own 400 ignores errorfile 400', async () => {
    const [a] = await raw(fe, 'GET /x HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    assert.match(a!, /^HTTP\/1\.1 400 Bad request\r\nContent-length: 90\r\n/);
  });

  test('errorfiles (an http-errors section) and http-error', async () => {
    assert.equal(await untilClose(fe2, `GET /deny ${CLOSE}`), 'HTTP/1.0 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nfe403\n');
    assert.deepEqual(await raw(fe2, `GET / ${CLOSE}`), ['HTTP/1.1 503 Service Unavailable\r\nx-a: b\r\ncontent-length: 5\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nhe503']);
  });
});

describe('how local replies mark the connection', () => {
  let port = 0;
  test('start', async () => {
    port = await freePort();
    await start(
      `${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n http-request deny if { path /deny }\n` +
        ` http-request return status 200 content-type text/plain string ok if { path /ret }\n default_backend be\n` +
        `backend be\n server s1 127.0.0.1:${await freePort()}\n`,
    );
  });

  test('close when the client asks, keep-alive said to HTTP/1.0 keep-alive clients', async () => {
    const [deny] = await raw(port, `GET /deny ${CLOSE}`);
    assert.match(deny!, /\r\ncontent-type: text\/html\r\nconnection: close\r\n\r\n/);
    const [old] = await raw(port, 'GET /deny HTTP/1.0\r\n\r\n');
    assert.match(old!, /\r\ncontent-type: text\/html\r\nconnection: close\r\n\r\n/);
    assert.deepEqual(await raw(port, 'GET /ret HTTP/1.1\r\nConnection: close\r\n\r\n'), ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nok']);
    assert.deepEqual(await raw(port, 'GET /ret HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'), ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\nconnection: keep-alive\r\n\r\nok']);
  });

  test('a denied request whose body came whole keeps the connection for the next one', async () => {
    const [deny, next] = await raw(port, 'POST /deny HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /ret HTTP/1.1\r\n\r\n', 2);
    assert.doesNotMatch(deny!, /connection:/);
    assert.equal(next, 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok');
  });
});

describe('error page keywords at load', () => {
  const check = (body: string): string => {
    const cfg = file(`c${Math.random().toString(36).slice(2)}.cfg`, `${DEFAULTS}http-errors myerrs\n errorfile 403 ${file('ok403.http', 'HTTP/1.0 403 Forbidden\r\n\r\n')}\nlisten m\n bind 127.0.0.1:1\n${body}\n server a 127.0.0.1:1\n`);
    let err = '';
    const r = mainOrPlan(['-c', '-f', cfg], { out: () => undefined, err: (t) => void (err += t), env: {}, pid: 1, argv0: 'haproxy' });
    assert.equal(r, 1, err);
    return err.split('\n').filter((l) => l.includes('[ALERT]') && !/Fatal|Error\(s\)/.test(l)).join('\n').replace(/^.*config : /, '').replace(cfg, 'F');
  };
  // The messages haproxy 2.6.12 prints for the same lines.
  test('refusals as HAProxy words them', () => {
    assert.equal(check(' http-error status 999'), "parsing [F:10] : http-error : Unexpected status code '999'");
    assert.equal(check(' http-error foo'), 'parsing [F:10] : http-error : expects at least a <status> as arguments.');
    assert.equal(check(' http-error status 503 string x'), 'parsing [F:10] : http-error : a content type must be defined when non-empty payload is configured');
    assert.equal(check(' http-error status 418'), "parsing [F:10] : http-error: status code '418' not handled.");
    assert.equal(check(' http-error status 503 bogus'), "parsing [F:10] : http-error : unknown keyword 'bogus'.");
    assert.equal(check(' errorloc 503'), 'parsing [F:10] : errorloc : expects <status_code> and <url> as arguments.');
    assert.equal(check(' errorloc 418 /x'), "parsing [F:10] : errorloc : status code '418' not handled.");
    assert.equal(check(' errorfiles myerrs 999'), "parsing [F:10] : errorfiles : status code '999' not handled.");
    assert.equal(check(` errorfile 503 ${file('bad.http', 'HTTP/1.0 foo\r\n\r\n')}`), `parsing [F:10] : errorfile : '${join(dir, 'bad.http')}': unable to parse headers (error offset: 9)`);
    assert.equal(check(' errorfiles nosuch'), "proxy 'm': unknown http-errors section 'nosuch' (at F:10).");
  });
});
