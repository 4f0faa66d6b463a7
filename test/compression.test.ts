// HTTP compression end to end (`compression algo|type|offload`): a Switchyard data plane in
// front of an origin on loopback whose every response is described by the request (header
// x-resp, base64 JSON), so each case says what the server sends and what the client must get.
// Every expectation was recorded by running the same config and requests through haproxy
// 2.6.12 (built with libslz: headers and decompressed bodies are compared, not the bytes).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { freePort } from './helpers/net.js';
import { startPlane, stopPlanes } from './helpers/plane.js';
import { parseConfig } from '../src/config/parser.js';
import { installFeatures } from '../src/features.js';
import { condEnv } from '../src/cli/main.js';

const servers: net.Server[] = [];
const clients: net.Socket[] = [];
after(async () => {
  for (const c of clients) c.destroy();
  await stopPlanes();
  for (const s of servers) s.close();
});

// ---------------------------------------------------------------------------------------------
// The origin: what it answers is in the request.

interface Spec {
  status?: number;
  version?: '1.0' | '1.1';
  headers?: [string, string][];
  body?: string;
  /** How the body is framed: Content-Length (default), chunked, until close, or no body. */
  framing?: 'length' | 'chunked' | 'close' | 'none';
  /** Chunked: the chunks; length: written in these pieces. */
  parts?: string[];
  /** Chunked: trailer lines, e.g. "X-T: 1\r\n". */
  trailers?: string;
  /** A large body made here (too big for a header): `bigPieces(n)`, written piece by piece. */
  big?: number;
}

/** A large compressible body in `n` pieces (the same on both sides of the test). */
function bigPieces(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `line ${i} `.repeat(700));
}

const TEXT = 'hello hello hello hello hello hello\n';

/** Request heads as the origin received them (x-resp removed), in order. */
const received: string[] = [];

function answer(spec: Spec, method: string): string[] {
  const parts = spec.big ? bigPieces(spec.big) : spec.parts ?? [spec.body ?? TEXT];
  const body = parts.join('');
  const headers = spec.headers ?? [['Content-Type', 'text/html']];
  let head = `HTTP/${spec.version ?? '1.1'} ${spec.status ?? 200} X\r\n`;
  for (const [n, v] of headers) head += `${n}: ${v}\r\n`;
  const framing = spec.framing ?? 'length';
  if (framing === 'length') return [`${head}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n`, ...(method === 'HEAD' ? [] : parts)];
  if (framing === 'none' || framing === 'close') return [`${head}\r\n`, ...(framing === 'close' ? parts : [])];
  const chunks = parts.map((p) => `${Buffer.byteLength(p, 'latin1').toString(16)}\r\n${p}\r\n`);
  return [`${head}Transfer-Encoding: chunked\r\n\r\n`, ...chunks, `0\r\n${spec.trailers ?? ''}\r\n`];
}

async function startOrigin(): Promise<number> {
  const srv = net.createServer((c) => {
    c.on('error', () => undefined);
    let pending = '';
    let busy = Promise.resolve();
    c.on('data', (d) => {
      pending += d.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = pending.slice(0, end).split('\r\n');
        pending = pending.slice(end + 4);
        const x = lines.find((l) => /^x-resp:/i.test(l));
        const spec = (x ? JSON.parse(Buffer.from(x.slice(7).trim(), 'base64').toString()) : {}) as Spec;
        received.push(lines.filter((l) => l !== x).join('\r\n'));
        const method = lines[0]!.split(' ')[0]!;
        // Pieces go out one write each, in order, so the proxy sees several reads.
        busy = busy.then(async () => {
          for (const piece of answer(spec, method)) {
            if (!c.write(piece, 'latin1')) await once(c, 'drain');
            await new Promise((r) => setImmediate(r));
          }
          if (spec.framing === 'close') c.end();
        });
      }
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  servers.push(srv);
  return (srv.address() as net.AddressInfo).port;
}

// ---------------------------------------------------------------------------------------------
// The client: reads whole responses in any framing, dechunks and decompresses.

interface Response {
  status: number;
  version: string;
  /** [lowercased name, value] in wire order. */
  headers: [string, string][];
  /** The body as sent (dechunked, still compressed). */
  wire: Buffer;
  /** The body after Content-Encoding is undone. */
  body: string;
  trailers: string;
  chunked: boolean;
}

class Client {
  private buf = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | null = null;

  constructor(readonly sock: net.Socket) {
    clients.push(sock);
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    sock.on('error', () => undefined);
  }

  static async connect(port: number): Promise<Client> {
    const s = net.connect(port, '127.0.0.1');
    await once(s, 'connect');
    return new Client(s);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async need(pred: () => boolean): Promise<void> {
    while (!pred()) {
      if (this.closed) throw new Error(`connection closed; have ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }

  async exchange(head: string, spec?: Spec): Promise<Response> {
    const x = spec ? `x-resp: ${Buffer.from(JSON.stringify(spec)).toString('base64')}\r\n` : '';
    const lines = head.split('\n');
    this.sock.write(`${lines[0]}\r\n${x}${lines.slice(1).map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1');
    return this.read(lines[0]!.split(' ')[0] === 'HEAD');
  }

  async read(headRequest: boolean): Promise<Response> {
    await this.need(() => this.buf.indexOf('\r\n\r\n') >= 0);
    const end = this.buf.indexOf('\r\n\r\n');
    const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
    this.buf = this.buf.subarray(end + 4);
    const [version, status] = lines[0]!.split(' ') as [string, string];
    const headers = lines.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]);
    const get = (n: string): string | undefined => headers.find(([k]) => k === n)?.[1];
    const chunked = /chunked/i.test(get('transfer-encoding') ?? '');
    let wire = Buffer.alloc(0);
    let trailers = '';
    const bodyless = headRequest || Number(status) === 204 || Number(status) === 304;
    if (bodyless) {
      // nothing
    } else if (chunked) {
      const parts: Buffer[] = [];
      for (;;) {
        await this.need(() => this.buf.indexOf('\r\n') >= 0);
        const le = this.buf.indexOf('\r\n');
        const size = parseInt(this.buf.subarray(0, le).toString('latin1'), 16);
        if (size === 0) {
          await this.need(() => this.buf.indexOf('\r\n\r\n', le) >= 0 || this.buf.subarray(le, le + 4).toString() === '\r\n\r\n');
          const tEnd = this.buf.indexOf('\r\n\r\n', le);
          trailers = this.buf.subarray(le + 2, tEnd + 2).toString('latin1');
          this.buf = this.buf.subarray(tEnd + 4);
          break;
        }
        await this.need(() => this.buf.length >= le + 2 + size + 2);
        parts.push(this.buf.subarray(le + 2, le + 2 + size));
        this.buf = this.buf.subarray(le + 4 + size);
      }
      wire = Buffer.concat(parts);
    } else if (get('content-length') !== undefined) {
      const n = Number(get('content-length'));
      await this.need(() => this.buf.length >= n);
      wire = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
    } else {
      await this.need(() => this.closed);
      wire = this.buf;
      this.buf = Buffer.alloc(0);
    }
    return { status: Number(status), version, headers, wire, body: decode(get('content-encoding'), wire).toString('latin1'), trailers, chunked };
  }
}

function decode(encoding: string | undefined, b: Buffer): Buffer {
  if (encoding === 'gzip') return zlib.gunzipSync(b);
  if (encoding === 'deflate') {
    try {
      return zlib.inflateSync(b);
    } catch {
      return zlib.inflateRawSync(b);
    }
  }
  return b;
}

async function get(port: number, head: string, spec?: Spec): Promise<Response> {
  const c = await Client.connect(port);
  try {
    return await c.exchange(head, spec);
  } finally {
    c.sock.destroy();
  }
}

/** The response's headers as "name: value" lines, wire order. */
const lines = (r: Response): string[] => r.headers.map(([n, v]) => `${n}: ${v}`);
const header = (r: Response, n: string): string | undefined => r.headers.find(([k]) => k === n)?.[1];

/** The head HAProxy sends for a compressed response: the server's, then these, in this order. */
function compressedTail(encoding: string | null): string[] {
  return ['transfer-encoding: chunked', 'vary: Accept-Encoding', ...(encoding ? [`content-encoding: ${encoding}`] : [])];
}

async function start(text: string): Promise<void> {
  await startPlane(text);
}

const DEFAULTS = 'defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n';
const G = 'GET / HTTP/1.1\nHost: x';

// ---------------------------------------------------------------------------------------------

describe('compression (recorded against haproxy 2.6.12)', () => {
  const port: Record<string, number> = {};
  let origin = 0;

  before(async () => {
    origin = await startOrigin();
    const names = ['seed', 'multi', 'multi2', 'raw', 'ident', 'identgz', 'offload', 'typeonly', 'fe', 'nofe', 'inherit', 'inheritfe'];
    for (const n of names) port[n] = await freePort();
    const fe = (name: string, lines: string, be = 'plain'): string =>
      `frontend ${name}\n bind 127.0.0.1:${port[name]}\n${lines}\n default_backend ${be}\n`;
    await start(
      `global\n nbthread 1\n${DEFAULTS}` +
        fe('seed', ' compression algo gzip\n compression type text/html text/plain') +
        fe('multi', ' compression algo gzip deflate') +
        fe('multi2', ' compression algo deflate gzip') +
        fe('raw', ' compression algo raw-deflate') +
        fe('ident', ' compression algo identity') +
        fe('identgz', ' compression algo identity gzip\n compression offload') +
        fe('offload', ' compression algo gzip\n compression offload') +
        fe('typeonly', ' compression type text/html') +
        fe('fe', ' compression algo gzip\n compression type text/html', 'comp') +
        fe('nofe', '', 'comp') +
        `backend plain\n server s 127.0.0.1:${origin}\n` +
        `backend comp\n compression algo deflate\n compression type text/plain\n server s 127.0.0.1:${origin}\n` +
        // A defaults section's lines, then the proxy's own, accumulate; the backend that
        // inherits them wins over the frontend.
        `defaults\n mode http\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n compression algo gzip\n compression type text/plain\n` +
        `listen inherit\n bind 127.0.0.1:${port['inherit']}\n compression algo deflate\n compression type text/html\n server s 127.0.0.1:${origin}\n` +
        `frontend inheritfe\n bind 127.0.0.1:${port['inheritfe']}\n compression algo deflate\n compression type text/html\n default_backend inherited\n` +
        `backend inherited\n server s 127.0.0.1:${origin}\n`,
    );
  });

  describe('seed: gzip compression by type', () => {
    test('compressed when gzip is accepted and the type matches', async () => {
      const r = await get(port['seed']!, `${G}\nAccept-Encoding: gzip`);
      assert.equal(r.status, 200);
      assert.deepEqual(lines(r), ['content-type: text/html', ...compressedTail('gzip')]);
      assert.equal(r.body, TEXT);
      assert.equal(r.wire[0], 0x1f, 'a gzip member');
    });

    test('not compressed when Accept-Encoding lacks gzip, or is absent', async () => {
      for (const ae of ['Accept-Encoding: deflate', 'Accept-Encoding: x-gzip', 'Accept-Encoding: gzip;q=0', '']) {
        const r = await get(port['seed']!, ae ? `${G}\n${ae}` : G);
        assert.deepEqual(lines(r), ['content-type: text/html', `content-length: ${TEXT.length}`], ae);
        assert.equal(r.body, TEXT);
      }
    });

    test('the type must start with a configured one, ignoring case; none means no', async () => {
      const cases: [string | null, boolean][] = [
        ['text/plain; charset=utf-8', true],
        ['TEXT/HTML', true],
        ['text/htmlx', true],
        ['image/png', false],
        [null, false],
      ];
      for (const [ctype, yes] of cases) {
        const r = await get(port['seed']!, `${G}\nAccept-Encoding: gzip`, { headers: ctype ? [['Content-Type', ctype]] : [] });
        assert.equal(header(r, 'content-encoding'), yes ? 'gzip' : undefined, String(ctype));
        assert.equal(r.body, TEXT);
      }
      // Only the first Content-Type counts.
      const two = await get(port['seed']!, `${G}\nAccept-Encoding: gzip`, { headers: [['Content-Type', 'image/png'], ['Content-Type', 'text/html']] });
      assert.equal(header(two, 'content-encoding'), undefined);
    });

    test('not compressed when the response is already encoded, whatever the coding', async () => {
      for (const ce of ['br', 'identity', 'compress']) {
        const r = await get(port['seed']!, `${G}\nAccept-Encoding: gzip`, { headers: [['Content-Type', 'text/html'], ['Content-Encoding', ce]] });
        assert.deepEqual(lines(r), ['content-type: text/html', `content-encoding: ${ce}`, `content-length: ${TEXT.length}`]);
      }
    });

    test('a chunked backend: compressed, its trailers forwarded after the last chunk', async () => {
      const r = await get(port['seed']!, `${G}\nAccept-Encoding: gzip`, { framing: 'chunked', parts: ['abc', 'defgh', 'ij'], trailers: 'X-T: 1\r\n' });
      assert.deepEqual(lines(r), ['content-type: text/html', ...compressedTail('gzip')]);
      assert.equal(r.body, 'abcdefghij');
      assert.equal(r.trailers, 'x-t: 1\r\n');
      // Even an empty chunked body is compressed: an empty gzip member.
      const empty = await get(port['seed']!, `${G}\nAccept-Encoding: gzip`, { framing: 'chunked', parts: [] });
      assert.equal(header(empty, 'content-encoding'), 'gzip');
      assert.equal(empty.body, '');
    });

    test('a content-length backend with a large body sent in pieces', async () => {
      const body = bigPieces(40).join('');
      const r = await get(port['seed']!, `${G}\nAccept-Encoding: gzip`, { big: 40 });
      assert.equal(header(r, 'content-length'), undefined);
      assert.equal(r.chunked, true);
      assert.equal(r.body, body);
      assert.ok(r.wire.length < body.length / 4, 'compressed');
    });

    test('keep-alive goes on after compressed responses, of both framings', async () => {
      const c = await Client.connect(port['seed']!);
      const a = await c.exchange(`${G}\nAccept-Encoding: gzip`, { body: 'first\n' });
      const b = await c.exchange(`${G}\nAccept-Encoding: gzip`, { framing: 'chunked', parts: ['second', '\n'] });
      const d = await c.exchange(G, { body: 'third\n' });
      assert.deepEqual([a.body, b.body, d.body], ['first\n', 'second\n', 'third\n']);
      assert.deepEqual([header(a, 'content-encoding'), header(b, 'content-encoding'), header(d, 'content-encoding')], ['gzip', 'gzip', undefined]);
      assert.equal(c.isClosed, false);
      c.sock.destroy();
    });

    test('the compressed stream is flushed as the server sends, not held until the end', async () => {
      // A server that sends half a body, then waits for the client to have seen it.
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const slow = net.createServer((s) => {
        s.once('data', async () => {
          s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nfirst half\n');
          await released;
          s.end('!');
        });
      });
      slow.listen(0, '127.0.0.1');
      await once(slow, 'listening');
      servers.push(slow);
      const p = await freePort();
      await start(`${DEFAULTS}listen l\n bind 127.0.0.1:${p}\n compression algo gzip\n server s 127.0.0.1:${(slow.address() as net.AddressInfo).port}\n`);
      const c = net.connect(p, '127.0.0.1');
      clients.push(c);
      const gunzip = zlib.createGunzip();
      let head = Buffer.alloc(0);
      let inBody = false;
      let text = '';
      const seen = new Promise<void>((resolve) => {
        gunzip.on('data', (d: Buffer) => {
          text += d.toString();
          if (text === 'first half\n') release();
          if (text.endsWith('!')) resolve();
        });
      });
      // Only the payload of each chunk goes to the decompressor (sizes and CRLFs skipped).
      let pending = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        if (!inBody) {
          head = Buffer.concat([head, d]);
          const e = head.indexOf('\r\n\r\n');
          if (e < 0) return;
          inBody = true;
          d = head.subarray(e + 4);
        }
        pending = Buffer.concat([pending, d]);
        for (;;) {
          const le = pending.indexOf('\r\n');
          if (le < 0) return;
          const size = parseInt(pending.subarray(0, le).toString(), 16);
          if (size === 0 || pending.length < le + 4 + size) return;
          gunzip.write(pending.subarray(le + 2, le + 2 + size));
          pending = pending.subarray(le + 4 + size);
        }
      });
      c.write('GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n');
      await seen;
      assert.equal(text, 'first half\n!');
      c.destroy();
    });
  });

  describe('when a response is compressed', () => {
    const gz = `${G}\nAccept-Encoding: gzip`;
    const cases: [string, string, Spec, boolean][] = [
      ['200', gz, {}, true],
      ['201', gz, { status: 201 }, true],
      ['202', gz, { status: 202 }, true],
      ['203', gz, { status: 203 }, true],
      ['206', gz, { status: 206 }, false],
      ['404', gz, { status: 404 }, false],
      ['204 (no body)', gz, { status: 204, framing: 'none' }, false],
      ['POST', `POST / HTTP/1.1\nHost: x\nContent-Length: 0\nAccept-Encoding: gzip`, {}, true],
      ['HEAD', `HEAD / HTTP/1.1\nHost: x\nAccept-Encoding: gzip`, {}, false],
      ['an HTTP/1.0 request', `GET / HTTP/1.0\nHost: x\nAccept-Encoding: gzip`, {}, false],
      ['an HTTP/1.0 response', gz, { version: '1.0' }, false],
      ['a body delimited by the close', gz, { framing: 'close' }, false],
      ['Content-Length: 0', gz, { body: '' }, false],
      ['Cache-Control no-transform (any case, any element)', gz, { headers: [['Content-Type', 'text/html'], ['Cache-Control', 'public, No-Transform']] }, false],
      ['Cache-Control no-transformx', gz, { headers: [['Content-Type', 'text/html'], ['Cache-Control', 'no-transformx']] }, true],
      ['an invalid ETag', gz, { headers: [['Content-Type', 'text/html'], ['ETag', 'abc']] }, false],
      ['two ETag headers', gz, { headers: [['Content-Type', 'text/html'], ['ETag', '"a"'], ['ETag', '"b"']] }, false],
      ['a multipart type', `GET / HTTP/1.1\nHost: x\nAccept-Encoding: gzip`, { headers: [['Content-Type', 'multipart/x']] }, false],
      ['a Mozilla/4 user agent', `${gz}\nUser-Agent: Mozilla/4.0 (compatible)`, {}, false],
      ['MSIE 7 in a Mozilla/4 user agent', `${gz}\nUser-Agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)`, {}, true],
      ['a Mozilla/5 user agent', `${gz}\nUser-Agent: Mozilla/5.0`, {}, true],
    ];
    for (const [name, head, spec, yes] of cases) {
      test(`${name}: ${yes ? 'compressed' : 'left alone'}`, async () => {
        const r = await get(port['seed']!, head, spec);
        assert.equal(header(r, 'content-encoding') === 'gzip', yes);
        if (yes) assert.equal(header(r, 'vary'), 'Accept-Encoding');
        else assert.equal(header(r, 'vary'), undefined);
        if (!head.startsWith('HEAD') && spec.status !== 204) assert.equal(r.body, spec.body ?? TEXT);
      });
    }

    test('a strong ETag is made weak; a weak one, or a list, is kept as HAProxy reads it', async () => {
      const etag = async (v: string): Promise<string | undefined> =>
        header(await get(port['seed']!, gz, { headers: [['Content-Type', 'text/html'], ['ETag', v]] }), 'etag');
      assert.equal(await etag('"abc"'), 'W/"abc"');
      assert.equal(await etag('W/"abc"'), 'W/"abc"');
      assert.equal(await etag('"a", "b"'), 'W/"a", "b"');
    });

    test('Vary: Accept-Encoding is added even when the server sent a Vary', async () => {
      const r = await get(port['seed']!, gz, { headers: [['Content-Type', 'text/html'], ['Vary', 'accept-encoding']] });
      assert.deepEqual(lines(r), ['content-type: text/html', 'vary: accept-encoding', ...compressedTail('gzip')]);
    });

    test('an uncompressed HEAD keeps its Content-Length', async () => {
      const r = await get(port['seed']!, 'HEAD / HTTP/1.1\nHost: x\nAccept-Encoding: gzip');
      assert.equal(header(r, 'content-length'), String(TEXT.length));
    });
  });

  describe('Accept-Encoding negotiation', () => {
    const enc = async (p: string, ae: string | string[], spec: Spec = {}): Promise<string | undefined> => {
      const list = Array.isArray(ae) ? ae : [ae];
      const r = await get(port[p]!, [G, ...list.map((v) => `Accept-Encoding: ${v}`)].join('\n'), spec);
      assert.equal(r.body, spec.body ?? TEXT);
      return header(r, 'content-encoding');
    };

    test('q-values: the highest wins, the first of equals wins, q=0 never', async () => {
      const cases: [string | string[], string | undefined][] = [
        ['deflate, gzip', 'deflate'],
        ['gzip;q=0.5, deflate', 'deflate'],
        ['gzip;q=0.5, deflate;q=0.5', 'gzip'],
        [['deflate;q=0.3', 'gzip;q=0.4'], 'gzip'],
        ['gzip;foo=1;q=0', undefined],
        ['gzip ; q=0.001', 'gzip'],
        // Only a lowercase "q=" is a weight; an unreadable weight counts as 1.
        ['gzip; Q=0', 'gzip'],
        ['gzip;q=abc', 'gzip'],
        ['GZIP', 'gzip'],
        ['gzip x', 'gzip'],
        ['gzipx', undefined],
        ['identity', undefined],
        ['*;q=0, deflate', 'deflate'],
        ['br', undefined],
      ];
      for (const [ae, want] of cases) assert.equal(await enc('multi', ae), want, String(ae));
    });

    test('"*" takes the last algorithm configured', async () => {
      assert.equal(await enc('multi', '*'), 'deflate');
      assert.equal(await enc('multi2', '*'), 'gzip');
    });

    test('deflate is zlib-wrapped; raw-deflate is bare and answers "deflate"', async () => {
      const z = await get(port['multi']!, `${G}\nAccept-Encoding: deflate`);
      assert.equal(zlib.inflateSync(z.wire).toString(), TEXT);
      const raw = await get(port['raw']!, `${G}\nAccept-Encoding: deflate`);
      assert.equal(header(raw, 'content-encoding'), 'deflate');
      assert.equal(zlib.inflateRawSync(raw.wire).toString(), TEXT);
      assert.equal(await enc('raw', 'raw-deflate'), undefined);
    });

    test('without compression type, any type but multipart is compressed, and no type too', async () => {
      assert.equal(await enc('multi', 'gzip', { headers: [['Content-Type', 'image/png']] }), 'gzip');
      assert.equal(await enc('multi', 'gzip', { headers: [] }), 'gzip');
      assert.equal(await enc('multi', 'gzip', { headers: [['Content-Type', 'Multipart/form-data']] }), undefined);
    });

    test('identity: chunked, Vary, a weak ETag, no Content-Encoding, whatever the request says', async () => {
      for (const ae of [null, 'gzip', 'identity']) {
        const r = await get(port['ident']!, ae ? `${G}\nAccept-Encoding: ${ae}` : G, { headers: [['Content-Type', 'text/html'], ['ETag', '"x"']] });
        assert.deepEqual(lines(r), ['content-type: text/html', 'etag: W/"x"', ...compressedTail(null)], String(ae));
        assert.equal(r.body, TEXT);
      }
    });

    test('compression type without any algorithm compresses nothing', async () => {
      assert.equal(await enc('typeonly', 'gzip'), undefined);
    });
  });

  describe('compression offload', () => {
    const forwarded = (): string => received[received.length - 1]!;

    test('Accept-Encoding is removed (every one) when the client chose a configured algorithm', async () => {
      const r = await get(port['offload']!, `${G}\nAccept-Encoding: gzip\nAccept-Encoding: br`);
      assert.equal(header(r, 'content-encoding'), 'gzip');
      assert.equal(r.body, TEXT);
      assert.doesNotMatch(forwarded(), /accept-encoding/i);
      // The type does not matter for the request: it is removed before the response is seen.
      await get(port['offload']!, `${G}\nAccept-Encoding: gzip`, { headers: [['Content-Type', 'image/png']] });
      assert.doesNotMatch(forwarded(), /accept-encoding/i);
      // An HTTP/1.0 request loses it too, though its response is not compressed.
      const old = await get(port['offload']!, 'GET / HTTP/1.0\nAccept-Encoding: gzip');
      assert.equal(header(old, 'content-encoding'), undefined);
      assert.doesNotMatch(forwarded(), /accept-encoding/i);
    });

    test('kept when nothing matched, for refused user agents, and for an implicit identity', async () => {
      await get(port['offload']!, `${G}\nAccept-Encoding: br`);
      assert.match(forwarded(), /accept-encoding: br/i);
      await get(port['offload']!, `${G}\nAccept-Encoding: gzip\nUser-Agent: Mozilla/4.0`);
      assert.match(forwarded(), /accept-encoding: gzip/i);
      // identity gzip + offload: "br" falls back to identity and keeps the header...
      const r = await get(port['identgz']!, `${G}\nAccept-Encoding: br`);
      assert.deepEqual(lines(r), ['content-type: text/html', ...compressedTail(null)]);
      assert.match(forwarded(), /accept-encoding: br/i);
      // ...while "identity" asked for explicitly is a choice, and the header goes.
      await get(port['identgz']!, `${G}\nAccept-Encoding: identity`);
      assert.doesNotMatch(forwarded(), /accept-encoding/i);
    });

    test('without offload the server sees Accept-Encoding', async () => {
      await get(port['seed']!, `${G}\nAccept-Encoding: gzip`);
      assert.match(forwarded(), /accept-encoding: gzip/i);
    });
  });

  describe('frontend, backend and defaults', () => {
    test("the backend's algorithms and types win over the frontend's", async () => {
      const html = await get(port['fe']!, `${G}\nAccept-Encoding: gzip, deflate`);
      assert.equal(header(html, 'content-encoding'), undefined);
      const plain = await get(port['fe']!, `${G}\nAccept-Encoding: gzip, deflate`, { headers: [['Content-Type', 'text/plain']] });
      assert.equal(header(plain, 'content-encoding'), 'deflate');
      assert.equal(plain.body, TEXT);
      const nofe = await get(port['nofe']!, `${G}\nAccept-Encoding: gzip, deflate`, { headers: [['Content-Type', 'text/plain']] });
      assert.equal(header(nofe, 'content-encoding'), 'deflate');
    });

    test("a proxy's lines add to its defaults' (last configured first)", async () => {
      const ask = async (p: string, ae: string, ctype: string): Promise<string | undefined> =>
        header(await get(port[p]!, `${G}\nAccept-Encoding: ${ae}`, { headers: [['Content-Type', ctype]] }), 'content-encoding');
      assert.equal(await ask('inherit', 'deflate', 'text/plain'), 'deflate');
      assert.equal(await ask('inherit', 'gzip', 'text/html'), 'gzip');
      assert.equal(await ask('inherit', '*', 'text/plain'), 'deflate');
      assert.equal(await ask('inherit', '*', 'image/png'), undefined);
      // The backend inherited gzip and text/plain from the defaults: they win.
      assert.equal(await ask('inheritfe', 'deflate', 'text/plain'), undefined);
      assert.equal(await ask('inheritfe', 'gzip', 'text/html'), undefined);
      assert.equal(await ask('inheritfe', '*', 'text/plain'), 'gzip');
    });

    test(
      'the decision is taken on the server head, before http-response rules',
      async () => {
        const p = await freePort();
        await start(
          `${DEFAULTS}listen l\n bind 127.0.0.1:${p}\n compression algo gzip\n compression type text/html\n` +
            ` http-response set-header Content-Type text/html if { res.hdr(x-fix) -m found }\n server s 127.0.0.1:${origin}\n`,
        );
        const r = await get(p, `${G}\nAccept-Encoding: gzip`, { headers: [['Content-Type', 'image/png'], ['X-Fix', '1']] });
        assert.equal(header(r, 'content-encoding'), undefined);
      },
    );
  });
});

describe('compression keywords (messages of haproxy 2.6.12 -c)', () => {
  const registries = installFeatures();
  const check = (line: string, section = 'frontend f\n bind 127.0.0.1:1'): string[] => {
    const { diag } = parseConfig([{ name: 't.cfg', text: `defaults\n mode http\n${section}\n ${line}\n` }], {
      env: { getenv: () => undefined, cwd: process.cwd() },
      cond: condEnv({}, registries),
      registries,
    });
    return diag.items.map((d) => `${d.severity}: ${d.message}`);
  };

  test('errors', () => {
    assert.deepEqual(check('compression algo'), ["alert: parsing [t.cfg:5] : 'compression' expects <algorithm>."]);
    assert.deepEqual(check('compression algo gzip foo'), ["alert: 'compression' : 'foo' is not a supported algorithm."]);
    assert.deepEqual(check('compression algo GZIP'), ["alert: 'compression' : 'GZIP' is not a supported algorithm."]);
    assert.deepEqual(check('compression type'), ["alert: 'compression' expects <type>."]);
    assert.deepEqual(check('compression'), ["alert: 'compression' expects 'algo', 'type' or 'offload'"]);
    assert.deepEqual(check('compression foo'), ["alert: 'compression' expects 'algo', 'type' or 'offload'"]);
  });

  test('accepted', () => {
    for (const l of ['compression algo identity gzip deflate raw-deflate', 'compression algo gzip gzip', 'compression type text/html', 'compression offload', 'compression offload x']) {
      assert.deepEqual(check(l), [], l);
    }
  });

  test('offload in a defaults section is a warning, and ignored', () => {
    assert.deepEqual(check('compression offload', ''), ["warning: 'compression' : 'offload' ignored in 'defaults' section."]);
  });
});
