// HTTP-mode extras, end to end on loopback, with the answers haproxy 2.6.12 gave on the same
// configurations (recorded by running both on one config and diffing what clients and origins
// saw): monitor-uri and monitor fail, option originalto (merged with the backend's, like
// forwardfor), http-send-name-header (also after a redispatch), option http-buffer-request
// with the req.body fetches, balance url_param on a POST body, and a client that closes while
// its request waits for a server (option abortonclose or not). Then the configuration
// messages.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { freePort } from './helpers/net.js';
import { origin, origins, send, type Backend } from './helpers/http.js';
import { startPlane, stopPlanes } from './helpers/plane.js';
import { SRV } from '../src/ipc/server-table.js';
import { checkConfigText } from './helpers/proc.js';
import { loadAddon } from '../src/native/addon.js';

const sockets: net.Socket[] = [];
after(async () => {
  for (const s of sockets) s.destroy();
  await stopPlanes();
  for (const o of origins) o.close();
});

async function start(text: string): Promise<void> {
  await startPlane(text);
}

const DEFAULTS = 'defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';

/** The request heads an origin received, one per request ("GET /a HTTP/1.1\r\nhost: x ..."). */
const heads = (b: Backend): string[] => b.received.flatMap((r) => r.split(/(?=(?:GET|POST|PUT) \/)/)).filter((r) => r !== '');

/** A client connection whose bytes can be awaited, for requests sent in parts. */
class Client {
  readonly sock: net.Socket;
  data = '';
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(port: number, host = '127.0.0.1') {
    this.sock = net.connect({ port, host, allowHalfOpen: true });
    sockets.push(this.sock);
    this.sock.on('error', () => undefined);
    this.sock.on('data', (d: Buffer) => {
      this.data += d.toString('latin1');
      this.wake();
    });
    // Half-open allowed (a client may end its side first): the proxy's FIN is the end here.
    for (const ev of ['end', 'close']) {
      this.sock.on(ev, () => {
        this.closed = true;
        this.wake();
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once what was received satisfies `done` (or the connection closed). */
  async until(done: (data: string) => boolean): Promise<string> {
    while (!done(this.data) && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return this.data;
  }

  /** The first final (non-1xx) response, whole (content-length framed), or what came before the close. */
  response(): Promise<string> {
    return this.until((d) => {
      const m = /HTTP\/1\.1 [2-5]\d\d [^]*?\r\n\r\n/.exec(d);
      if (!m) return false;
      const len = /\r\ncontent-length: *(\d+)/i.exec(m[0]);
      return d.length >= m.index + m[0].length + Number(len?.[1] ?? 0);
    });
  }
}

/**
 * An origin that records what each request looked like when its head arrived, answers with
 * the forwarded header lines once the request is whole (like ./helpers/http.ts's origin),
 * and lets a test await the heads, or hold the answers until released.
 */
async function recorder(hold = false): Promise<{ port: number; heads: string[]; bodies: string[]; waitHeads(n: number): Promise<void>; release(): void }> {
  const heads: string[] = [];
  const bodies: string[] = [];
  const pending: (() => void)[] = [];
  let waiters: (() => void)[] = [];
  const srv = net.createServer((c) => {
    c.on('error', () => undefined);
    let buf = '';
    c.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        if (heads.length === bodies.length) {
          heads.push(head);
          const w = waiters;
          waiters = [];
          for (const f of w) f();
        }
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        bodies.push(buf.slice(end + 4, end + 4 + len));
        buf = buf.slice(end + 4 + len);
        const hdrs = head.split('\r\n').slice(1).join('|');
        const answer = (): void => void c.write(`HTTP/1.1 200 OK\r\ncontent-length: 3\r\nx-req-headers: ${hdrs}\r\n\r\nok\n`);
        if (hold) pending.push(answer);
        else answer();
      }
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  origins.push(srv);
  return {
    port: (srv.address() as net.AddressInfo).port,
    heads,
    bodies,
    async waitHeads(n) {
      while (heads.length < n) await new Promise<void>((r) => waiters.push(r));
    },
    release: () => pending.shift()?.(),
  };
}

const page = (code: number, reason: string, text: string, extra = ''): string => {
  const body = `<html><body><h1>${code} ${reason}</h1>\n${text}\n</body></html>\n`;
  return `HTTP/1.1 ${code} ${reason}\r\ncontent-length: ${body.length}\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n${extra}\r\n${body}`;
};
const MONITOR_OK = page(200, 'OK', 'Service ready.');
const MONITOR_FAIL = page(503, 'Service Unavailable', 'No server is available to handle this request.');

describe('monitor-uri and monitor fail', () => {
  let port = 0;
  let web: Backend;
  test('start', async () => {
    web = await origin('web');
    port = await freePort();
    await start(
      `${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n monitor-uri /mon\n monitor fail if { req.hdr(x-fail) -m found }\n` +
        ` http-request deny if { req.hdr(x-deny) -m found }\n default_backend be\nbackend be\n server s 127.0.0.1:${web.port}\n`,
    );
  });

  test("HAProxy's 200 page, before any http-request rule, and nothing forwarded", async () => {
    assert.equal((await send(port, 'GET /mon HTTP/1.1\r\nhost: a\r\n\r\n'))[0]!.raw, MONITOR_OK);
    assert.equal((await send(port, 'GET /mon HTTP/1.1\r\nhost: a\r\nx-deny: 1\r\n\r\n'))[0]!.raw, MONITOR_OK);
    // Matched on the path of an absolute-form target; a query string is no match.
    assert.equal((await send(port, 'GET http://a/mon HTTP/1.1\r\nhost: a\r\n\r\n'))[0]!.raw, MONITOR_OK);
    assert.equal((await send(port, 'GET /mon?x=1 HTTP/1.1\r\nhost: a\r\n\r\n'))[0]!.body, 'web GET /mon?x=1 HTTP/1.1\n');
    assert.deepEqual(heads(web).map((h) => h.split('\r\n')[0]), ['GET /mon?x=1 HTTP/1.1']);
  });

  test('monitor fail if <cond>: 503', async () => {
    assert.equal((await send(port, 'GET /mon HTTP/1.1\r\nhost: a\r\nx-fail: 1\r\n\r\n'))[0]!.raw, MONITOR_FAIL);
  });

  test('the connection stays open after it (keep-alive), a body received whole included', async () => {
    const two = await send(port, 'GET /mon HTTP/1.1\r\nhost: a\r\n\r\nGET /next HTTP/1.1\r\nhost: a\r\n\r\n', 2);
    assert.equal(two[0]!.raw, MONITOR_OK);
    assert.equal(two[1]!.body, 'web GET /next HTTP/1.1\n');
    const chunked = await send(port, 'POST /mon HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /after HTTP/1.1\r\nhost: a\r\n\r\n', 2);
    assert.equal(chunked[1]!.body, 'web GET /after HTTP/1.1\n');
  });

  test('HTTP/1.0, or a body still arriving: answered with connection: close', async () => {
    const c = new Client(port);
    c.sock.write('GET /mon HTTP/1.0\r\n\r\n');
    assert.equal(await c.until(() => false), page(200, 'OK', 'Service ready.', 'connection: close\r\n'));
    const p = new Client(port);
    p.sock.write('POST /mon HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\nabc');
    assert.equal(await p.until(() => false), page(200, 'OK', 'Service ready.', 'connection: close\r\n'));
  });
});

describe('option originalto', () => {
  test('the destination address; the backend names the header; either except applies', async () => {
    const web = await origin('web');
    const port = await freePort();
    await start(
      `${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n bind 127.0.0.2:${port}\n option originalto except 127.0.0.2\n` +
        ` use_backend b2 if { path /b2 }\n use_backend b3 if { path /b3 }\n default_backend be\n` +
        `backend be\n server s 127.0.0.1:${web.port}\n` +
        `backend b2\n option originalto header X-Dst\n server s 127.0.0.1:${web.port}\n` +
        `backend b3\n option originalto except 127.0.0.0/24\n server s 127.0.0.1:${web.port}\n`,
    );
    const req = (path: string, host = '127.0.0.1'): Promise<string> => {
      const c = new Client(port, host);
      c.sock.write(`GET ${path} HTTP/1.1\r\nhost: a\r\nx-original-to: 8.8.8.8\r\n\r\n`);
      return c.response().then((r) => /x-req-headers: (.*)/.exec(r)![1]!);
    };
    // Appended after the client's own (kept), as HAProxy does.
    assert.equal(await req('/a'), 'host: a|x-original-to: 8.8.8.8|x-original-to: 127.0.0.1');
    assert.equal(await req('/b2'), 'host: a|x-original-to: 8.8.8.8|x-dst: 127.0.0.1');
    assert.equal(await req('/b3'), 'host: a|x-original-to: 8.8.8.8');
    assert.equal(await req('/a', '127.0.0.2'), 'host: a|x-original-to: 8.8.8.8');
    assert.equal(await req('/b2', '127.0.0.2'), 'host: a|x-original-to: 8.8.8.8');
  });

  test('forwardfor merges the same way: if-none holds only when every proxy setting it says so', async () => {
    const web = await origin('web');
    const port = await freePort();
    await start(
      `${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n option forwardfor if-none\n use_backend b2 if { path /b2 }\n default_backend be\n` +
        `backend be\n server s 127.0.0.1:${web.port}\n` +
        `backend b2\n option forwardfor header X-Client\n server s 127.0.0.1:${web.port}\n`,
    );
    const hdrs = async (path: string): Promise<string> => (await send(port, `GET ${path} HTTP/1.1\r\nhost: a\r\nx-forwarded-for: 9.9.9.9\r\nx-client: 7\r\n\r\n`))[0]!.headers['x-req-headers']!;
    assert.equal(await hdrs('/a'), 'host: a|x-forwarded-for: 9.9.9.9|x-client: 7');
    assert.equal(await hdrs('/b2'), 'host: a|x-forwarded-for: 9.9.9.9|x-client: 7|x-client: 127.0.0.1');
  });
});

describe('http-send-name-header', () => {
  test("replaces the client's lines with the chosen server's name, last; after a redispatch too", async () => {
    const s1 = await origin('s1');
    const s2 = await origin('s2');
    const dead = await freePort();
    const port = await freePort();
    await start(
      `${DEFAULTS} http-send-name-header X-Def\nfrontend fe\n bind 127.0.0.1:${port}\n use_backend b2 if { path_beg /b2 }\n default_backend be\n` +
        `backend be\n http-send-name-header X-Srv\n server s1 127.0.0.1:${s1.port}\n` +
        `backend b2\n balance first\n retries 2\n option redispatch\n timeout connect 200ms\n server dead 127.0.0.1:${dead}\n server s2 127.0.0.1:${s2.port}\n`,
    );
    const [a] = await send(port, 'GET /a HTTP/1.1\r\nhost: a\r\nx-srv: a\r\nX-Srv: b\r\nx-other: 1\r\n\r\n');
    assert.equal(a!.headers['x-req-headers'], 'host: a|x-other: 1|x-srv: s1');
    // An HTTP/1.0 client: the name comes after HAProxy's own Connection header.
    const [b] = await send(port, 'GET /a HTTP/1.0\r\nx-srv: q\r\n\r\n');
    assert.equal(b!.headers['x-req-headers'], 'connection: keep-alive|x-srv: s1');
    const [c] = await send(port, 'GET /b2 HTTP/1.1\r\nhost: a\r\nx-def: zz\r\n\r\n');
    assert.equal(c!.body, 's2 GET /b2 HTTP/1.1\n');
    assert.equal(c!.headers['x-req-headers'], 'host: a|x-def: s2');
  });
});

describe('option http-buffer-request and the req.body fetches', () => {
  let port = 0;
  let web: Backend;
  let rec: Awaited<ReturnType<typeof recorder>>;
  let chunked = '';
  test('start', async () => {
    web = await origin('web');
    rec = await recorder();
    const raw = await origin('raw', {
      raw: (c, d) => {
        chunked += d;
        if (chunked.endsWith('\r\n0\r\n\r\n')) c.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n');
      },
    });
    port = await freePort();
    const show = ' http-request set-header x-len %[req.body_len]\n http-request set-header x-size %[req.body_size]\n http-request set-header x-p %[req.body_param(b)]\n';
    await start(
      `${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n timeout http-request 300ms\n${show}` +
        ` use_backend nobuf if { path_beg /nobuf }\n use_backend bebuf if { path_beg /bebuf }\n default_backend buf\n` +
        `backend buf\n option http-buffer-request\n http-request set-header x-be-len %[req.body_len]\n server s 127.0.0.1:${web.port}\n` +
        `backend bebuf\n option http-buffer-request\n http-request set-header x-be-len %[req.body_len]\n server s 127.0.0.1:${web.port}\n` +
        `backend nobuf\n server s 127.0.0.1:${rec.port}\n` +
        `backend nobuf2\n server s 127.0.0.1:${web.port}\n` +
        `backend raw\n server s 127.0.0.1:${raw.port}\n` +
        `frontend fe2\n bind 127.0.0.1:${port + 1}\n option http-buffer-request\n timeout http-request 300ms\n${show}` +
        ` http-request set-header x-body %[req.body] if { req.body_len lt 100 }\n use_backend raw if { path_beg /chunked }\n default_backend nobuf2\n`,
    );
  });

  const forwarded = (r: string): string => /x-req-headers: (.*)/.exec(r)?.[1] ?? r;

  test('without it, the rules see the body bytes that came with the head', async () => {
    const c = new Client(port);
    c.sock.write('POST /nobuf HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\na=1&');
    // The rest only once the head went out: the rules ran on the first part.
    await rec.waitHeads(rec.heads.length + 1);
    c.sock.write('b=22&c');
    // (The origin echoes the lines in a response header, whose trailing space the proxy trims.)
    assert.equal(forwarded(await c.response()), 'host: a|content-length: 10|x-len: 4|x-size: 10|x-p:');
  });

  test("on the frontend: its rules see the whole body; the backend's too", async () => {
    const c = new Client(port);
    c.sock.write('POST /a HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\na=1&');
    setImmediate(() => c.sock.write('b=22&c'));
    const c2 = new Client(port + 1);
    c2.sock.write('POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\na=1&');
    setImmediate(() => c2.sock.write('b=22&c'));
    assert.equal(forwarded(await c2.response()), 'host: a|content-length: 10|x-len: 10|x-size: 10|x-p: 22|x-body: a=1&b=22&c');
    // The frontend without the option saw the head's share; the backend with it, all of it.
    assert.match(forwarded(await c.response()), /^host: a\|content-length: 10\|x-len: \d+\|x-size: 10\|x-p: (22)?\|x-be-len: 10$/);
  });

  test('chunked: the decoded body, forwarded as one chunk', async () => {
    const c = new Client(port + 1);
    c.sock.write('POST /chunked HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n4\r\na=1&\r\n');
    setImmediate(() => c.sock.write('4\r\nb=33\r\n0\r\n\r\n'));
    await c.response();
    assert.match(chunked, /x-len: 8\r\nx-size: 8\r\nx-p: 33\r\nx-body: a=1&b=33\r\n\r\n8\r\na=1&b=33\r\n0\r\n\r\n$/);
  });

  test('Expect: 100-continue is answered by the proxy and not forwarded', async () => {
    const c = new Client(port + 1);
    c.sock.write('POST /x HTTP/1.1\r\nhost: a\r\nexpect: 100-continue\r\ncontent-length: 3\r\n\r\n');
    assert.equal(await c.until((d) => d.includes('\r\n\r\n')), 'HTTP/1.1 100 Continue\r\n\r\n');
    c.sock.write('b=4');
    assert.equal(forwarded(await c.response()), 'host: a|content-length: 3|x-len: 3|x-size: 3|x-p: 4|x-body: b=4');
  });

  test('a body larger than the buffer: the rules see what the buffer holds, all of it is forwarded', async () => {
    const big = 'x'.repeat(20000);
    const c = new Client(port + 1);
    c.sock.write(`POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 20000\r\n\r\n${big}`);
    const r = await c.response();
    // haproxy 2.6.12 with the default tune.bufsize/maxrewrite: 15213 bytes for this head.
    assert.match(r, /x-req-headers: host: a\|content-length: 20000\|x-len: 15213\|x-size: 20000\|x-p:\r\n/);
    assert.ok(web.received.join('').includes(`\r\n\r\n${big}`));
  });

  test('a body that does not come in time: 408, nothing forwarded; a client gone: nothing said', async () => {
    const seen = web.received.join('').length;
    const c = new Client(port + 1);
    c.sock.write('POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\nb=1');
    assert.equal(
      await c.until(() => false),
      page(408, 'Request Time-out', "Your browser didn't send a complete request in time.", 'connection: close\r\n'),
    );
    const gone = new Client(port + 1);
    gone.sock.write('POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\nb=1');
    setImmediate(() => gone.sock.end());
    assert.equal(await gone.until(() => false), '');
    assert.equal(web.received.join('').length, seen);
  });
});

describe('balance url_param on a POST body', () => {
  test('the parameter is looked up in the body when the query string lacks it (check_post or not)', async () => {
    const s1 = await origin('s1');
    const s2 = await origin('s2');
    const port = await freePort();
    const servers = ` server s1 127.0.0.1:${s1.port}\n server s2 127.0.0.1:${s2.port}\n`;
    await start(
      `${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n use_backend cp if { path_beg /cp }\n default_backend p\n` +
        `backend p\n balance url_param b\n${servers}backend cp\n balance url_param b check_post\n${servers}`,
    );
    const post = async (path: string, body: string, extra = ''): Promise<string> => {
      const c = new Client(port);
      c.sock.write(`POST ${path} HTTP/1.1\r\nhost: a\r\ncontent-length: ${body.length}\r\n${extra}\r\n`);
      if (extra) await c.until((d) => d.includes('100 Continue'));
      // The body after the head: the balancer must wait for it.
      setImmediate(() => c.sock.write(body));
      const r = await c.response();
      return r.slice(r.lastIndexOf('\r\n\r\n') + 4).slice(0, 2);
    };
    const get = async (q: string): Promise<string> => (await send(port, `GET /p?b=${q} HTTP/1.1\r\nhost: a\r\n\r\n`))[0]!.body.slice(0, 2);
    // haproxy 2.6.12: b=3 -> s2, b=2 -> s1, the same as ?b=3 and ?b=2.
    for (const path of ['/p', '/cp']) {
      for (let i = 0; i < 2; i++) {
        assert.equal(await post(path, 'b=3'), 's2');
        assert.equal(await post(path, 'b=2'), 's1');
      }
    }
    assert.equal(await get('3'), 's2');
    assert.equal(await get('2'), 's1');
    assert.equal(await post('/p', 'a=1&b=3'), 's2');
    assert.equal(await post('/p', 'ab=3&b=2'), 's1');
    assert.equal(await post('/p', '&b=3'), 's2');
    // Only the value's first byte is checked: "3/" is a key (the one of ?b=3/).
    assert.equal(await post('/p', 'b=3/'), await get('3/'));
    // The query string wins over the body.
    assert.equal(await post('/p?b=2', 'b=3'), 's1');
    // HAProxy's own 100 Continue while it waits for the body.
    assert.equal(await post('/p', 'b=3', 'expect: 100-continue\r\n'), 's2');
  });
});

describe('a client closing while its request waits for a server', () => {
  for (const abortonclose of [true, false]) {
    test(`queued (server maxconn 1), ${abortonclose ? 'with' : 'without'} option abortonclose`, async () => {
      const o = await recorder(true);
      const port = await freePort();
      await start(
        `${DEFAULTS} timeout queue 5s\nfrontend fe\n bind 127.0.0.1:${port}\n default_backend be\n` +
          `backend be\n${abortonclose ? ' option abortonclose\n' : ''} server s 127.0.0.1:${o.port} maxconn 1\n`,
      );
      const first = new Client(port);
      first.sock.write('GET /1 HTTP/1.1\r\nhost: a\r\n\r\n');
      await o.waitHeads(1);
      // A body that will never be whole: the client is dropped at once, nothing forwarded.
      const partial = new Client(port);
      partial.sock.write('POST /2 HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\nabc');
      partial.sock.end();
      assert.equal(await partial.until(() => false), '');
      // A whole request whose client half-closes is still served (haproxy 2.6.12 does not
      // see that FIN before the response, with or without abortonclose).
      const half = new Client(port);
      half.sock.end('GET /3 HTTP/1.1\r\nhost: a\r\n\r\n');
      o.release();
      assert.match(await first.response(), /^HTTP\/1\.1 200 OK\r\n/);
      await o.waitHeads(2);
      o.release();
      assert.match(await half.until(() => false), /^HTTP\/1\.1 200 OK\r\n[^]*ok\n$/);
      assert.deepEqual(o.heads.map((h) => h.split('\r\n')[0]), ['GET /1 HTTP/1.1', 'GET /3 HTTP/1.1']);
    });
  }

  test('queued: a client that resets leaves the queue at once (qcur), and nothing of it is forwarded', async () => {
    const o = await recorder(true);
    const port = await freePort();
    const dp = await startPlane(
      `${DEFAULTS} timeout queue 10s\nfrontend fe\n bind 127.0.0.1:${port}\n default_backend be\nbackend be\n server s 127.0.0.1:${o.port} maxconn 1\n`,
    );
    const slot = dp.runtime.backends.get('be')!.servers[0]!.slot;
    const queue = (n: number) => async (): Promise<void> => {
      while (dp.table.get(slot, SRV.QUEUE) !== n) await new Promise((r) => setTimeout(r, 5));
    };
    const first = new Client(port);
    first.sock.write('GET /1 HTTP/1.1\r\nhost: a\r\n\r\n');
    await o.waitHeads(1);
    const gone = new Client(port);
    gone.sock.write('GET /2 HTTP/1.1\r\nhost: a\r\n\r\n');
    await queue(1)();
    gone.sock.resetAndDestroy();
    // Before the first response frees the slot: the reset client is out of the queue.
    await queue(0)();
    o.release();
    assert.match(await first.response(), /^HTTP\/1\.1 200 OK\r\n/);
    const next = new Client(port);
    next.sock.write('GET /3 HTTP/1.1\r\nhost: a\r\n\r\n');
    await o.waitHeads(2);
    o.release();
    assert.match(await next.response(), /^HTTP\/1\.1 200 OK\r\n/);
    assert.deepEqual(o.heads.map((h) => h.split('\r\n')[0]), ['GET /1 HTTP/1.1', 'GET /3 HTTP/1.1']);
  });

  test('connecting (a server that does not answer SYNs): a client gone is dropped, no 503', async (t) => {
    const addon = loadAddon();
    if (!addon) return t.skip('needs the native addon for a listener that never accepts');
    // A listener with backlog 0 holding one unaccepted connection drops further SYNs.
    const fd = addon.createListener({ host: '127.0.0.1', port: 0, family: 4, backlog: 0 });
    t.after(() => addon.close(fd));
    const filler = net.connect(addon.localPort(fd), '127.0.0.1');
    sockets.push(filler);
    await once(filler, 'connect');
    const port = await freePort();
    await start(`${DEFAULTS}frontend fe\n bind 127.0.0.1:${port}\n default_backend be\nbackend be\n retries 0\n timeout connect 3s\n server s 127.0.0.1:${addon.localPort(fd)}\n`);
    const c = new Client(port);
    c.sock.write('POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 10\r\n\r\nabc');
    setImmediate(() => c.sock.end());
    const started = Date.now();
    assert.equal(await c.until(() => false), '');
    assert.ok(Date.now() - started < 2000, 'closed before the connect timeout');
  });
});

describe('configuration', () => {
  /** `switchyard -c`'s exit code and its alerts and warnings, without the "[X] (PID) : config : " prefix. */
  const check = (cfg: string): { code: number; lines: string[] } => {
    const r = checkConfigText(cfg);
    const lines = r.err.split('\n').filter((l) => /^\[(ALERT|WARNING)\]/.test(l)).map((l) => l.replace(/^\[(\w+)\]\s+\(PID\) : config : /, '$1 '));
    return { code: r.code, lines };
  };

  test("haproxy 2.6.12's messages", () => {
    const { code, lines } = check(
      DEFAULTS +
        ' monitor fail if FALSE\n http-send-name-header\nfrontend fe\n bind 127.0.0.1:1\n monitor-uri\n monitor-uri /a /b\n monitor foo\n monitor fail\n' +
          ' monitor fail if undefined_acl\n option originalto foo\n option originalto except 1.2.3.4/33\n option originalto header\n' +
          ' option forwardfor foo\n http-send-name-header X-S\n default_backend be\nbackend be\n monitor-uri /m\n server s 127.0.0.1:1\n',
    );
    assert.equal(code, 1);
    assert.deepEqual(lines, [
      "ALERT parsing [t.cfg:6] : 'monitor' not allowed in 'defaults' section.",
      "ALERT parsing [t.cfg:7] : 'http-send-name-header' requires a header string.",
      "ALERT parsing [t.cfg:10] : 'monitor-uri' expects an URI.",
      "ALERT parsing [t.cfg:11] : 'monitor-uri' cannot handle unexpected argument '/b'.",
      "ALERT parsing [t.cfg:12] : 'monitor' only supports 'fail'.",
      "ALERT parsing [t.cfg:13] : 'monitor fail' requires either 'if' or 'unless' followed by a condition.",
      "ALERT parsing [t.cfg:14] : error detected while parsing a 'monitor fail' condition : no such ACL : 'undefined_acl'.",
      "ALERT parsing [t.cfg:15] : 'option originalto' only supports optional values: 'except' and 'header'.",
      "ALERT parsing [t.cfg:16] : 'option originalto except' expects <address>[/mask] as argument.",
      "ALERT parsing [t.cfg:17] : 'option originalto header' expects <header_name> as argument.",
      "ALERT parsing [t.cfg:18] : 'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.",
      "WARNING parsing [t.cfg:19] : 'http-send-name-header' ignored because frontend 'fe' has no backend capability.",
      "WARNING parsing [t.cfg:22] : 'monitor-uri' ignored because backend 'be' has no frontend capability.",
      'ALERT Error(s) found in configuration file : t.cfg',
      'ALERT Fatal errors found in configuration.',
    ]);
  });

  test("TCP mode: HAProxy's warnings; abortonclose on a TCP backend is refused, not ignored", () => {
    const { lines } = check(
      `${DEFAULTS.replace('mode http', 'mode tcp')}frontend fe\n bind 127.0.0.1:1\n monitor-uri /x\n option originalto\n option http-buffer-request\n default_backend be\n` +
        `backend be\n option abortonclose\n balance url_param x check_post\n server s 127.0.0.1:1\n`,
    );
    assert.deepEqual(lines, [
      "WARNING monitor-uri will be ignored for frontend 'fe' (needs 'mode http').",
      "WARNING 'option originalto' ignored for frontend 'fe' as it requires HTTP mode.",
      "WARNING 'option http-buffer-request' ignored for frontend 'fe' as it requires HTTP mode.",
      "WARNING Layer 7 hash not possible for backend 'be' (needs 'mode http'). Falling back to round robin.",
      "ALERT parsing [t.cfg:13] : 'option abortonclose' in a TCP-mode backend is not implemented yet (pending: data plane (workers, TCP mode, balancing) (#3)).",
      'ALERT Fatal errors found in configuration.',
    ]);
  });
});
