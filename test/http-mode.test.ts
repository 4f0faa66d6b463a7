// HTTP mode end to end: real sockets on loopback, the seed scenarios (routing, deny_status,
// redirects, X-Served-By, X-Forwarded-Port, forwardfor, WebSocket), keep-alive, HAProxy's
// error pages, and the hostile-request corpus recorded from haproxy 2.6.12: every request
// HAProxy refuses gets the same status here and no byte reaches the backend.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { freePort } from './helpers/net.js';
import { origin, origins, send, type Backend } from './helpers/http.js';
import { startPlane, stopPlanes } from './helpers/plane.js';

after(async () => {
  await stopPlanes();
  for (const o of origins) o.close();
});

async function start(text: string): Promise<void> {
  await startPlane(text);
}

const DEFAULTS = 'defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';

describe('seed scenarios', () => {
  let port = 0;
  let web1: Backend, web2: Backend, api: Backend, ws: Backend;
  test('start', async () => {
    web1 = await origin('web1');
    web2 = await origin('web2');
    api = await origin('api');
    ws = await origin('ws', {
      raw: (c, d) => {
        if (d.startsWith('GET')) c.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
        else c.write(d.toUpperCase());
      },
    });
    port = await freePort();
    await start(
      `global\n nbthread 2\n${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n option forwardfor\n` +
        ` acl is_ws hdr(Upgrade) -i websocket\n acl allowed src 127.0.0.0/8\n` +
        ` http-request deny if !allowed\n http-request deny deny_status 429 if { path_beg /limited }\n` +
        ` redirect scheme https code 301 if { path_beg /secure } !{ ssl_fc }\n` +
        ` http-request redirect location /new code 302 if { path /old } !{ ssl_fc }\n` +
        ` http-request set-header X-Forwarded-Port %[dst_port]\n` +
        ` use_backend be_ws if is_ws\n use_backend be_api if { path_beg /api } || { hdr(host) -i api.example.com }\n default_backend be_web\n` +
        `backend be_web\n balance roundrobin\n http-response set-header X-Served-By %[srv_name]\n server w1 127.0.0.1:${web1.port}\n server w2 127.0.0.1:${web2.port}\n` +
        `backend be_api\n server a 127.0.0.1:${api.port}\n` +
        `backend be_ws\n timeout tunnel 10s\n server s 127.0.0.1:${ws.port}\n`,
    );
  });

  test('path and Host routing', async () => {
    const [a] = await send(port, 'GET /api/v1 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(a!.body, 'api GET /api/v1 HTTP/1.1\n');
    const [b] = await send(port, 'GET /other HTTP/1.1\r\nHost: API.example.com\r\n\r\n');
    assert.equal(b!.body, 'api GET /other HTTP/1.1\n');
  });

  test('roundrobin over the web servers, X-Served-By %[srv_name], forwardfor, X-Forwarded-Port %[dst_port]', async () => {
    const answers = [...(await send(port, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n')), ...(await send(port, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n'))];
    assert.deepEqual(answers.map((a) => a.headers['x-served-by']).sort(), ['w1', 'w2']);
    for (const a of answers) {
      assert.match(a.headers['x-req-headers']!, new RegExp(`x-forwarded-for: 127\\.0\\.0\\.1`));
      assert.match(a.headers['x-req-headers']!, new RegExp(`x-forwarded-port: ${port}`));
    }
  });

  test('deny_status 429 answers HAProxy\'s page and reaches no server', async () => {
    const before = web1.received.length + web2.received.length;
    const [a] = await send(port, 'GET /limited HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(a!.raw, 'HTTP/1.1 429 Too Many Requests\r\ncontent-length: 117\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n');
    assert.equal(web1.received.length + web2.received.length, before);
  });

  test('redirect scheme https code 301 if !{ ssl_fc }, and http-request redirect unless TLS', async () => {
    const [a] = await send(port, 'GET /secure/x?y=1 HTTP/1.1\r\nHost: shop.example.com\r\n\r\n');
    assert.equal(a!.status, 301);
    assert.equal(a!.headers['location'], 'https://shop.example.com/secure/x?y=1');
    const [b] = await send(port, 'GET /old HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(b!.status, 302);
    assert.equal(b!.headers['location'], '/new');
  });

  test('keep-alive: two requests on one client connection, answered in order', async () => {
    const answers = await send(port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/2 HTTP/1.1\r\nHost: x\r\n\r\n', 2);
    assert.equal(answers.length, 2);
    assert.match(answers[0]!.body, /GET \/1 /);
    assert.equal(answers[1]!.body, 'api GET /api/2 HTTP/1.1\n');
  });

  test('WebSocket routed by hdr(Upgrade) -i websocket becomes a tunnel', async () => {
    const c = net.connect({ port, host: '127.0.0.1' });
    c.on('error', () => undefined);
    c.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    let got = '';
    await new Promise<void>((resolve) => {
      c.on('data', (d) => {
        got += d;
        if (got.includes('\r\n\r\n') && !got.includes('PING')) c.write('ping');
        if (got.includes('PING')) resolve();
      });
    });
    assert.match(got, /^HTTP\/1\.1 101 /);
    c.destroy();
  });
});

describe('server failures are clean 502/503/504 with HAProxy\'s pages', () => {
  test('no server: 503; refused connect: 503; silent server: 504; garbage: 502', async () => {
    const silent = await origin('silent', { raw: () => undefined });
    const garbage = await origin('garbage', { raw: (c) => c.end('garbage\r\n\r\n') });
    const dead = await freePort();
    const port = await freePort();
    await start(
      `global\n nbthread 1\n${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n` +
        ` use_backend none if { path /none }\n use_backend dead if { path /dead }\n use_backend silent if { path /silent }\n default_backend garbage\n` +
        `backend none\nbackend dead\n retries 1\n server d 127.0.0.1:${dead}\nbackend silent\n timeout server 300ms\n server s 127.0.0.1:${silent.port}\nbackend garbage\n server g 127.0.0.1:${garbage.port}\n`,
    );
    const page = (code: number, reason: string, text: string): string => {
      const body = `<html><body><h1>${code} ${reason}</h1>\n${text}\n</body></html>\n`;
      return `HTTP/1.1 ${code} ${reason}\r\ncontent-length: ${body.length}\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n${body}`;
    };
    const unavailable = page(503, 'Service Unavailable', 'No server is available to handle this request.');
    assert.equal((await send(port, 'GET /none HTTP/1.1\r\nHost: x\r\n\r\n'))[0]!.raw, unavailable);
    assert.equal((await send(port, 'GET /dead HTTP/1.1\r\nHost: x\r\n\r\n'))[0]!.raw, unavailable);
    assert.equal((await send(port, 'GET /silent HTTP/1.1\r\nHost: x\r\n\r\n'))[0]!.raw, page(504, 'Gateway Time-out', "The server didn't respond in time."));
    assert.equal((await send(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'))[0]!.raw, page(502, 'Bad Gateway', 'The server returned an invalid or incomplete response.'));
  });
});

interface CorpusCase {
  readonly name: string;
  readonly request: string;
  readonly haproxy: { readonly status: number | null; readonly forwarded: boolean };
}

describe('hostile requests (corpus recorded from haproxy 2.6.12)', () => {
  const corpus = JSON.parse(readFileSync(new URL('../../test/fixtures/http-hostile/corpus.json', import.meta.url), 'utf8')) as CorpusCase[];
  const refused = corpus.filter((c) => !c.haproxy.forwarded && c.haproxy.status !== null);
  test(`${refused.length} requests HAProxy refuses get its status here and reach no backend`, async () => {
    const be = await origin('be');
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n default_backend b\nbackend b\n server s 127.0.0.1:${be.port}\n`);
    const mismatches: string[] = [];
    for (const c of refused) {
      const [a] = await send(port, c.request);
      if (a?.status !== c.haproxy.status) mismatches.push(`${c.name}: got ${a?.status ?? 'close'}, haproxy ${c.haproxy.status}`);
    }
    assert.deepEqual(mismatches, []);
    assert.deepEqual(be.received, [], 'no byte of a refused request reached the backend');
  });
});
