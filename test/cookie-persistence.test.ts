// Cookie persistence end to end: `cookie NAME insert|rewrite|prefix` with indirect, nocache,
// postonly, preserve, httponly, secure, domain, attr, maxidle and maxlife, against real origin
// servers on loopback. Every expectation below was recorded from haproxy 2.6.12 on the same
// configuration and the same requests.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from './helpers/net.js';
import { checkedModel } from './helpers/model.js';
import { origin, origins, send, type Answer, type Backend } from './helpers/http.js';
import { DataPlane } from '../src/dataplane/runtime.js';
import { loadAddon } from '../src/native/addon.js';
import { decodeDate, encodeDate } from '../src/http/persist/cookie.js';

const planes: DataPlane[] = [];
after(async () => {
  for (const p of planes) await p.stop();
  for (const o of origins) o.close();
});

const DEFAULTS = 'defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';

/** Origins answer `?set=` (Set-Cookie values, `|`-separated), `?cc=` (Cache-Control) and `?st=` (status). */
async function app(name: string): Promise<Backend> {
  return origin(name, {
    respond({ requestLine }) {
      const q = new URL(requestLine.split(' ')[1]!, 'http://x').searchParams;
      const headers: string[] = [];
      for (const c of q.get('set')?.split('|') ?? []) headers.push(`Set-Cookie: ${c}`);
      if (q.has('cc')) headers.push(`Cache-Control: ${q.get('cc')}`);
      return { status: q.has('st') ? Number(q.get('st')) : 200, headers };
    },
  });
}

let s1: Backend;
let s2: Backend;

/** Start one listen section per case over s1 (cookie A) and s2 (cookie B unless told otherwise). */
async function proxy(lines: string, servers = ''): Promise<number> {
  const port = await freePort();
  const dp = new DataPlane(
    checkedModel(
      `${DEFAULTS}listen l\n bind 127.0.0.1:${port}\n${lines}\n` +
        (servers || ` server s1 127.0.0.1:${s1.port} cookie A\n server s2 127.0.0.1:${s2.port} cookie B\n`),
    ),
    { mode: loadAddon() ? 'shared' : 'worker', threads: 1 },
  );
  planes.push(dp);
  await dp.start();
  return port;
}

const get = async (port: number, path: string, extra = '', method = 'GET'): Promise<Answer> => {
  const body = method === 'POST' ? 'Content-Length: 0\r\n' : '';
  const [a] = await send(port, `${method} ${path} HTTP/1.1\r\nHost: x\r\n${body}${extra}Connection: close\r\n\r\n`);
  assert.ok(a, 'an answer');
  return a;
};

/** The response's header lines after the origin's own (Set-Cookie and Cache-Control as written). */
const tail = (a: Answer): string[] => a.raw.split('\r\n').filter((l) => /^(set-cookie|cache-control):/i.test(l));
const servedBy = (a: Answer): string => a.body.split(' ')[0]!;
/** The Cookie header the origin received ('' when none). */
const cookieSeen = (a: Answer): string => /(?:^|\|)cookie: ([^|]*)/i.exec(a.headers['x-req-headers'] ?? '')?.[1] ?? '';

describe('cookie persistence', () => {
  test('start the origins', async () => {
    s1 = await app('srv1');
    s2 = await app('srv2');
  });

  test('insert indirect nocache: the seed scenario', async () => {
    const port = await proxy(' cookie SERVERID insert indirect nocache');
    const first = await get(port, '/');
    assert.equal(servedBy(first), 'srv1');
    assert.deepEqual(tail(first), ['set-cookie: SERVERID=A; path=/']);
    // A client with a valid cookie goes to its server, gets no new cookie, and the server never
    // sees the persistence cookie (indirect), only the others.
    for (let i = 0; i < 3; i++) {
      const a = await get(port, '/', 'Cookie: SERVERID=B\r\n');
      assert.equal(servedBy(a), 'srv2');
      assert.deepEqual(tail(a), []);
      assert.equal(cookieSeen(a), '');
    }
    const mixed = await get(port, '/', 'Cookie: a=1; SERVERID=B; c=3\r\n');
    assert.equal(servedBy(mixed), 'srv2');
    assert.equal(cookieSeen(mixed), 'a=1; c=3');
    // An unknown value is balanced and replaced.
    const unknown = await get(port, '/', 'Cookie: SERVERID=Z\r\n');
    assert.deepEqual(tail(unknown), [`set-cookie: SERVERID=${servedBy(unknown) === 'srv1' ? 'A' : 'B'}; path=/`]);
  });

  test('insert: the server\'s own cookie of that name is dropped, others kept', async () => {
    const port = await proxy(' cookie SERVERID insert indirect nocache');
    const a = await get(port, '/?set=SERVERID%3Dxyz|foo%3Dbar');
    assert.deepEqual(tail(a), ['set-cookie: foo=bar', 'set-cookie: SERVERID=A; path=/']);
  });

  test('nocache marks a cacheable response private when it inserts', async () => {
    const port = await proxy(' cookie SERVERID insert indirect nocache');
    const cases: [string, string, string[]][] = [
      ['GET', '/?cc=max-age%3D60', ['cache-control: max-age=60', 'set-cookie: SERVERID=A; path=/', 'cache-control: private']],
      ['GET', '/?cc=public%2C%20max-age%3D60', ['cache-control: public, max-age=60', 'set-cookie: SERVERID=B; path=/', 'cache-control: private']],
      // Not cacheable anyway: private, no freshness information, a POST, a 302.
      ['GET', '/?cc=private%2C%20max-age%3D60', ['cache-control: private, max-age=60', 'set-cookie: SERVERID=A; path=/']],
      ['GET', '/?cc=public', ['cache-control: public', 'set-cookie: SERVERID=B; path=/']],
      ['POST', '/?cc=max-age%3D60', ['cache-control: max-age=60', 'set-cookie: SERVERID=A; path=/']],
      ['GET', '/?st=302&cc=max-age%3D60', ['cache-control: max-age=60', 'set-cookie: SERVERID=B; path=/']],
      ['GET', '/?st=404&cc=max-age%3D60', ['cache-control: max-age=60', 'set-cookie: SERVERID=A; path=/', 'cache-control: private']],
      ['GET', '/?cc=max-age%3D0', ['cache-control: max-age=0', 'set-cookie: SERVERID=B; path=/']],
    ];
    for (const [method, path, want] of cases) assert.deepEqual(tail(await get(port, path, '', method)), want, `${method} ${path}`);
  });

  test('without indirect the cookie reaches the server, and a valid one is not set again', async () => {
    const port = await proxy(' cookie SERVERID insert');
    const a = await get(port, '/', 'Cookie: SERVERID=B\r\n');
    assert.equal(servedBy(a), 'srv2');
    assert.deepEqual(tail(a), []);
    assert.equal(cookieSeen(a), 'SERVERID=B');
  });

  test('a cookie for a server in maintenance is balanced elsewhere and replaced', async () => {
    const port = await proxy(' cookie SERVERID insert indirect', ` server s1 127.0.0.1:${s1.port} cookie A\n server s2 127.0.0.1:${s2.port} cookie B disabled\n`);
    const a = await get(port, '/', 'Cookie: SERVERID=B\r\n');
    assert.equal(servedBy(a), 'srv1');
    assert.deepEqual(tail(a), ['set-cookie: SERVERID=A; path=/']);
  });

  test('a refused persistent server: redispatched with option redispatch (and a new cookie), 503 without', async () => {
    const dead = await freePort();
    const servers = ` server s1 127.0.0.1:${s1.port} cookie A\n server s3 127.0.0.1:${dead} cookie C\n`;
    const withRedispatch = await proxy(' cookie SERVERID insert indirect\n option redispatch\n retries 1', servers);
    const a = await get(withRedispatch, '/', 'Cookie: SERVERID=C\r\n');
    assert.equal(servedBy(a), 'srv1');
    assert.deepEqual(tail(a), ['set-cookie: SERVERID=A; path=/']);
    const without = await proxy(' cookie SERVERID insert indirect\n retries 1', servers);
    assert.equal((await get(without, '/', 'Cookie: SERVERID=C\r\n')).status, 503);
  });

  test('preserve, httponly, secure, domain and attr', async () => {
    const port = await proxy(
      ' cookie SERVERID insert indirect preserve httponly secure domain .a.com domain b.com attr "SameSite=Lax" attr foo',
      ` server s1 127.0.0.1:${s1.port} cookie A\n server s2 127.0.0.1:${s2.port}\n`,
    );
    const a = await get(port, '/');
    assert.deepEqual(tail(a), ['set-cookie: SERVERID=A; path=/; domain=.a.com; domain=b.com; HttpOnly; Secure; SameSite=Lax; foo']);
    // A server without a cookie value gets no cookie; a server's own cookie is kept (preserve).
    assert.deepEqual(tail(await get(port, '/?set=SERVERID%3Dzz')), ['set-cookie: SERVERID=zz']);
    assert.deepEqual(tail(await get(port, '/?set=SERVERID%3Dzz', 'Cookie: SERVERID=A\r\n')), ['set-cookie: SERVERID=zz']);
  });

  test('rewrite: the server\'s cookie value becomes the server\'s identifier', async () => {
    const port = await proxy(' cookie SERVERID rewrite');
    assert.deepEqual(tail(await get(port, '/')), []);
    assert.deepEqual(tail(await get(port, '/?set=SERVERID%3Dzz%3B%20path%3D%2F')), ['set-cookie: SERVERID=B; path=/']);
    const a = await get(port, '/?set=SERVERID%3Dzz', 'Cookie: SERVERID=A\r\n');
    assert.equal(servedBy(a), 'srv1');
    assert.deepEqual(tail(a), ['set-cookie: SERVERID=A']);
    assert.equal(cookieSeen(a), 'SERVERID=A');
  });

  test('prefix: the server identifier is prepended to the application cookie and stripped on the way in', async () => {
    const port = await proxy(' cookie JSESSIONID prefix');
    assert.deepEqual(tail(await get(port, '/?set=JSESSIONID%3Dabc%3B%20path%3D%2F')), ['set-cookie: JSESSIONID=A~abc; path=/']);
    const a = await get(port, '/', 'Cookie: x=1; JSESSIONID=B~abc\r\n');
    assert.equal(servedBy(a), 'srv2');
    assert.equal(cookieSeen(a), 'x=1; JSESSIONID=abc');
    assert.equal(cookieSeen(await get(port, '/', 'Cookie: JSESSIONID=abc\r\n')), 'JSESSIONID=abc');
  });

  test('postonly inserts on POST responses only', async () => {
    const port = await proxy(' cookie SERVERID insert postonly');
    assert.deepEqual(tail(await get(port, '/')), []);
    assert.deepEqual(tail(await get(port, '/', '', 'POST')), ['set-cookie: SERVERID=B; path=/']);
  });

  test('maxidle and maxlife: dated cookies, refreshed, and ignored once too old', async () => {
    const now = (): number => Math.floor(Date.now() / 1000);
    const idle = await proxy(' cookie SERVERID insert indirect maxidle 30m');
    const dated = (a: Answer): { value: string; dates: number[] } => {
      const m = /^set-cookie: SERVERID=([^|;]*)((?:\|[^|;]*)*); path=\/$/.exec(tail(a)[0] ?? '');
      assert.ok(m, tail(a).join());
      return { value: m[1]!, dates: m[2]!.split('|').slice(1).map(decodeDate) };
    };
    // A recent date keeps the server and is refreshed to now (4-second resolution).
    const t0 = now();
    const fresh = await get(idle, '/', `Cookie: SERVERID=B|${encodeDate(t0 - 60)}\r\n`);
    assert.equal(servedBy(fresh), 'srv2');
    const f = dated(fresh);
    assert.equal(f.value, 'B');
    assert.equal(f.dates.length, 1);
    assert.ok(Math.abs(f.dates[0]! - t0) <= 8);
    // Older than maxidle, or malformed: ignored, balanced, a new cookie.
    for (const bad of [encodeDate(t0 - 1900), 'garbage']) {
      const a = await get(idle, '/', `Cookie: SERVERID=B|${bad}\r\n`);
      assert.equal(dated(a).value, servedBy(a) === 'srv1' ? 'A' : 'B');
    }
    // maxlife keeps the first date; a cookie without dates gets both.
    const life = await proxy(' cookie SERVERID insert indirect maxidle 30m maxlife 8h');
    const first = t0 - 1900;
    const kept = dated(await get(life, '/', `Cookie: SERVERID=B|${encodeDate(t0 - 60)}|${encodeDate(first)}\r\n`));
    assert.equal(kept.value, 'B');
    assert.equal(kept.dates[1], decodeDate(encodeDate(first)));
    const both = dated(await get(life, '/', 'Cookie: SERVERID=B\r\n'));
    assert.equal(both.dates.length, 2);
    assert.equal(both.dates[0], both.dates[1]);
    // Past maxlife: ignored.
    const expired = await get(life, '/', `Cookie: SERVERID=B|${encodeDate(t0 - 60)}|${encodeDate(t0 - 9 * 3600)}\r\n`);
    assert.equal(dated(expired).value, servedBy(expired) === 'srv1' ? 'A' : 'B');
  });

  test('the date encoding: seconds >> 2 in five base64 digits', () => {
    // haproxy 2.6.12 wrote `awLuT` at 1795354188.
    assert.equal(encodeDate(1795354188), 'awLuT');
    assert.equal(decodeDate('awLuT'), 1795354188 - (1795354188 % 4));
    assert.equal(decodeDate('abc'), -1);
    assert.equal(decodeDate(undefined), 0);
  });
});
