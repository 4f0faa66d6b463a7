// Passive health monitoring: `observe layer4|layer7`, `error-limit`, `on-error`. Real traffic
// through Switchyard to real origins on loopback; the expected lines are haproxy 2.6.12's on
// the same configurations (recorded by hand: see the closing note of the change).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectWhenUp, freePort } from './helpers/net.js';
import { origin, origins, send } from './helpers/http.js';
import { checkConfigText, line, startSwitchyard } from './helpers/proc.js';

after(() => {
  for (const o of origins) o.close();
});

const DEFAULTS = 'defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';
const get = async (port: number, path = '/'): Promise<number> => (await send(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`))[0]?.status ?? 0;

test('observe layer7 + on-error mark-down: a wrong status at error-limit 1 takes the server down at once', { timeout: 20_000 }, async () => {
  const o = await origin('o', { respond: (r) => (r.requestLine.includes('/fail') ? { status: 500 } : undefined) });
  const port = await freePort();
  const p = startSwitchyard(
    `${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n default_backend be\nbackend be\n server s1 127.0.0.1:${o.port} check inter 10s observe layer7 error-limit 1 on-error mark-down\n`,
  );
  (await connectWhenUp(port)).destroy();
  // One error is the limit (a passing first check may reset the count at any time before it:
  // with a limit of 1 that cannot matter). HAProxy says "errors" for one too.
  assert.equal(await get(port, '/fail'), 500);
  assert.match(
    await p.waitFor(/is DOWN/),
    line('[WARNING]  (PID) : Server be/s1 is DOWN, reason: Health analyze, info: "Detected 1 consecutive errors, last one was: Wrong http response". 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.'),
  );
  await p.waitFor(/has no server available/);
  assert.equal(await get(port), 503);
});

test('observe layer7: a correct response restarts the count; fail-check takes one health step per action', { timeout: 20_000 }, async () => {
  const o = await origin('o', { respond: (r) => (r.requestLine.includes('/fail') ? { status: 503 } : r.requestLine.includes('/nf') ? { status: 404 } : undefined) });
  const port = await freePort();
  const p = startSwitchyard(
    `${DEFAULTS} option log-health-checks\nfrontend fe\n bind 127.0.0.1:${port}\n default_backend be\nbackend be\n server s1 127.0.0.1:${o.port} check inter 10s rise 2 fall 3 observe layer7 error-limit 2\n`,
  );
  // The first check passes at start: its reset of the count must come before the errors.
  await p.waitFor(/Health check for server be\/s1 succeeded/);
  const from = p.lines.length;
  // 503, 404 (correct: the count restarts), 503, 503: the limit is reached once, at the end.
  assert.equal(await get(port, '/fail'), 503);
  assert.equal(await get(port, '/nf'), 404);
  assert.equal(await get(port, '/fail'), 503);
  assert.equal(await get(port, '/fail'), 503);
  assert.match(
    await p.waitFor(/Health analyze/, from),
    line('[WARNING]  (PID) : Health check for server be/s1 failed, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: Wrong http response", status: 2/3 UP.'),
  );
  // Two more: the second action; the server is still up (health 1 of 3), and answers.
  assert.equal(await get(port, '/fail'), 503);
  assert.equal(await get(port, '/fail'), 503);
  assert.match(await p.waitFor(/status: 1\/3 UP/, from), /Detected 2 consecutive errors/);
  assert.equal(await get(port), 200);
  assert.equal(p.lines.slice(from).filter((l) => l.includes('Health analyze')).length, 2);
});

test('observe layer4: every refused connect counts; sudden-death leaves the server one failure from down', { timeout: 20_000 }, async () => {
  // Checks go to a port that answers, traffic to one that refuses.
  const o = await origin('o');
  const closed = await freePort();
  const port = await freePort();
  const p = startSwitchyard(
    `${DEFAULTS} retries 0\n option log-health-checks\nfrontend fe\n bind 127.0.0.1:${port}\n default_backend be\nbackend be\n server s1 127.0.0.1:${closed} check port ${o.port} inter 10s observe layer4 error-limit 2 on-error sudden-death\n`,
  );
  await p.waitFor(/Health check for server be\/s1 succeeded/);
  // Health is full (UP 3/3); two refused connects reach the limit.
  assert.equal(await get(port), 503);
  assert.equal(await get(port), 503);
  assert.match(
    await p.waitFor(/Health analyze/),
    line('[WARNING]  (PID) : Health check for server be/s1 failed, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection", status: 1/3 UP.'),
  );
});

test('observe, error-limit and on-error at load, with haproxy -c messages', () => {
  const base = (opts: string, mode = 'http'): string =>
    `defaults\n mode ${mode}\n timeout connect 1s\n timeout client 5s\n timeout server 5s\nfrontend f\n bind 127.0.0.1:1\n default_backend be\nbackend be\n server s1 127.0.0.1:80 check ${opts}\n`;
  const cases: [string, string, number, string][] = [
    ['observe layer5', 'http', 1, "[ALERT]    (PID) : config : [t.cfg:10] : 'server be/s1' : 'observe' expects one of 'none', 'layer4', 'layer7' but got 'layer5'."],
    ['error-limit 0', 'http', 1, "[ALERT]    (PID) : config : [t.cfg:10] : 'server be/s1' : error-limit has to be > 0.."],
    ['error-limit abc', 'http', 1, "[ALERT]    (PID) : config : [t.cfg:10] : 'server be/s1' : error-limit has to be > 0.."],
    ['on-error foo', 'http', 1, "[ALERT]    (PID) : config : [t.cfg:10] : 'server be/s1' : 'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'foo'."],
    // HAProxy says so and goes on: the configuration is valid, observe stays off.
    ['observe layer7', 'tcp', 0, "[ALERT]    (PID) : config : [t.cfg:10] : 'server be/s1' : 'layer7' can only be used in http proxies.."],
  ];
  for (const [opts, mode, code, message] of cases) {
    const r = checkConfigText(base(opts, mode));
    assert.equal(r.code, code, `${opts}: ${r.err}`);
    assert.ok(r.err.split('\n').includes(message), `${opts}:\n${r.err}`);
  }
  for (const ok of ['observe layer4 error-limit 3x on-error fastinter', 'observe none', 'observe layer7 on-error sudden-death']) {
    const r = checkConfigText(base(ok));
    assert.equal(r.code, 0, `${ok}: ${r.err}`);
  }
});
