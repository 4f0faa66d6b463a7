// The PROXY protocol (bind accept-proxy, server send-proxy / send-proxy-v2 / proxy-v2-options)
// and `option nolinger`, over real loopback sockets. Expected bytes and behaviours were
// recorded from haproxy 2.6.12 on the same configurations.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EventEmitter, once } from 'node:events';
import { freePort } from './helpers/net.js';
import { checkConfigText } from './helpers/proc.js';
import { startPlane, stopPlanes } from './helpers/plane.js';
import { DataPlane } from '../src/dataplane/runtime.js';
import { loadAddon } from '../src/native/addon.js';
import { buildProxyHeader, crc32c, parseProxyHeader, type SendProxy } from '../src/net/proxy-protocol.js';
import { addressHash } from '../src/lb/source.js';
import { effectiveWeights, haproxyMap } from '../src/lb/schedule.js';
import type { AcceptMode } from '../src/ipc/messages.js';

// JS listeners always; with the addon, native fds (spliced in TCP mode, ReadSink in HTTP mode).
const MODES: AcceptMode[] = loadAddon() ? ['worker', 'shared'] : ['worker'];

const SIG = '0d0a0d0a000d0a515549540a';
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const v2 = (verCmd: number, fam: number, body: Buffer): Buffer => {
  const h = Buffer.alloc(16);
  hex(SIG).copy(h);
  h[12] = verCmd;
  h[13] = fam;
  h.writeUInt16BE(body.length, 14);
  return Buffer.concat([h, body]);
};
const TCP4_BODY = hex('01020304 05060708 0457 08ae'); // 1.2.3.4 -> 5.6.7.8, 1111 -> 2222
const TCP6_BODY = hex('20010db8000000000000000000000001 20010db8000000000000000000000002 0d05 115c'); // 3333 -> 4444

describe('PROXY header parsing (haproxy 2.6.12 accepts and refuses the same ones)', () => {
  const ok = (text: string | Buffer, endpoints: unknown, length?: number): void => {
    const buf = typeof text === 'string' ? Buffer.from(text + 'rest', 'latin1') : text;
    const r = parseProxyHeader(buf);
    assert.ok(r.ok, `${JSON.stringify(text.toString())}: ${JSON.stringify(r)}`);
    assert.deepEqual(r.header.endpoints, endpoints);
    assert.equal(r.header.length, length ?? (typeof text === 'string' ? text.length : buf.length));
  };
  const ipv4 = (src: string, srcPort: number, dst: string, dstPort: number) => ({ family: 'IPv4', src, srcPort, dst, dstPort });
  const ipv6 = (src: string, srcPort: number, dst: string, dstPort: number) => ({ family: 'IPv6', src, srcPort, dst, dstPort });

  test('v1: TCP4, TCP6 and UNKNOWN, with HAProxy\'s lenient number reading', () => {
    ok('PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n', ipv4('1.2.3.4', 1111, '5.6.7.8', 2222));
    ok('PROXY TCP6 2001:db8::1 ::ffff:1.2.3.4 1111 2222\r\n', ipv6('2001:db8::1', 1111, '::ffff:1.2.3.4', 2222));
    ok('PROXY TCP6 2001:0db8:0:0:0:0:0:0001 ::2 1 2\r\n', ipv6('2001:db8::1', 1, '::2', 2));
    ok('PROXY UNKNOWN\r\n', null);
    // Octets keep their last three digits and carry; a short address ends early; ports wrap.
    ok('PROXY TCP4 1.2.3.300 5.6.7.8 99999 2222\r\n', ipv4('1.2.4.44', 34463, '5.6.7.8', 2222));
    ok('PROXY TCP4 1.2.3 5.6.7.8 1111 2222\r\n', ipv4('1.2.3.0', 1111, '5.6.7.8', 2222));
    ok('PROXY TCP4 01.02.03.004 5.6.7.8 01111 2222\r\n', ipv4('1.2.3.4', 1111, '5.6.7.8', 2222));
  });

  test('v1: refused headers', () => {
    const cases: [string, string][] = [
      ['PROXY tcp4 1.2.3.4 5.6.7.8 1111 2222\r\n', 'badProto'],
      ['PROXY UNKNOWN whatever\r\n', 'badProto'],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\nhello', 'badHeader'],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222 x\r\n', 'badHeader'],
      ['PROXY TCP4  1.2.3.4 5.6.7.8 1111 2222\r\n', 'badHeader'],
      ['PROXY TCP6 1.2.3.4 5.6.7.8 1111 2222\r\n', 'badHeader'],
      ['PROXY TCP6 fe80::1%1 ::1 1 2\r\n', 'badHeader'],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222', 'truncated'],
      ['PROXY TCP4 1.2.3.4 ', 'truncated'],
      ['PROX', 'truncated'],
      ['GET / HTTP/1.1\r\n\r\n', 'notHeader'],
    ];
    for (const [text, error] of cases) assert.deepEqual(parseProxyHeader(Buffer.from(text, 'latin1')), { ok: false, error }, JSON.stringify(text));
  });

  test('v2: PROXY over TCPv4 / TCPv6, LOCAL keeps the real addresses, TLVs', () => {
    ok(v2(0x21, 0x11, TCP4_BODY), ipv4('1.2.3.4', 1111, '5.6.7.8', 2222));
    ok(v2(0x21, 0x21, TCP6_BODY), ipv6('2001:db8::1', 3333, '2001:db8::2', 4444));
    ok(v2(0x20, 0x00, Buffer.alloc(0)), null);
    ok(v2(0x20, 0x11, TCP4_BODY), null);
    // An unknown TLV is skipped; AUTHORITY is kept for `proxy-v2-options authority`.
    const tlvs = v2(0x21, 0x11, Buffer.concat([TCP4_BODY, hex('02 0003'), Buffer.from('abc'), hex('ee 0001 09')]));
    const r = parseProxyHeader(Buffer.concat([tlvs, Buffer.from('data')]));
    assert.ok(r.ok);
    assert.equal(r.header.length, tlvs.length);
    assert.equal(r.header.authority?.toString(), 'abc');
    // As sent by haproxy 2.6.12 with `send-proxy-v2 proxy-v2-options crc32c`.
    ok(hex(`${SIG} 2111 0013 7f000001 7f000001 eaee 5070 03 0004 8004f97e`), ipv4('127.0.0.1', 60142, '127.0.0.1', 20592));
  });

  test('v2: refused headers', () => {
    const crcBad = hex(`${SIG} 2111 0013 7f000001 7f000001 eaee 5070 03 0004 8004f97f`);
    const cases: [Buffer, string][] = [
      [v2(0x21, 0x00, Buffer.alloc(0)), 'badHeader'], // PROXY over AF_UNSPEC: haproxy 2.6 walks the signature as TLVs
      [v2(0x21, 0x31, Buffer.alloc(216)), 'badHeader'], // AF_UNIX, same
      [v2(0x21, 0x11, Buffer.concat([TCP4_BODY, hex('02 0009'), Buffer.from('abc')])), 'badHeader'],
      [v2(0x21, 0x11, TCP4_BODY.subarray(0, 8)), 'badHeader'],
      [v2(0x11, 0x11, TCP4_BODY), 'notHeader'],
      [v2(0x22, 0x11, TCP4_BODY), 'badHeader'],
      [crcBad, 'badHeader'],
      [v2(0x21, 0x11, TCP4_BODY).subarray(0, 20), 'truncated'],
    ];
    for (const [buf, error] of cases) assert.deepEqual(parseProxyHeader(buf), { ok: false, error }, buf.toString('hex'));
  });
});

describe('PROXY header building (bytes haproxy 2.6.12 sends)', () => {
  const spec = (o: Partial<SendProxy>): SendProxy => ({ version: 2, crc32c: false, authority: false, uniqueId: false, ssl: false, ...o });
  const lo = { family: 'IPv4', src: '127.0.0.1', dst: '127.0.0.1' };

  test('v1: TCP4, TCP6 with IPv4-mapped addresses, UNKNOWN without addresses', () => {
    assert.equal(buildProxyHeader(spec({ version: 1 }), { ...lo, srcPort: 56162, dstPort: 28848 }).toString(), 'PROXY TCP4 127.0.0.1 127.0.0.1 56162 28848\r\n');
    assert.equal(buildProxyHeader(spec({ version: 1 }), { family: 'IPv6', src: '::ffff:127.0.0.1', dst: '2001:db8::2', srcPort: 1, dstPort: 2 }).toString(), 'PROXY TCP6 ::ffff:127.0.0.1 2001:db8::2 1 2\r\n');
    assert.equal(buildProxyHeader(spec({ version: 1 }), { family: undefined, src: undefined, dst: undefined, srcPort: undefined, dstPort: undefined }).toString(), 'PROXY UNKNOWN\r\n');
  });

  test('v2: CRC32C, AUTHORITY passed on, UNIQUE_ID (empty), SSL (plain connection), in HAProxy\'s order', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(buildProxyHeader(spec({ crc32c: true }), { ...lo, srcPort: 0xeaee, dstPort: 0x5070 }).toString('hex'), hex(`${SIG} 2111 0013 7f000001 7f000001 eaee 5070 03 0004 8004f97e`).toString('hex'));
    assert.equal(
      buildProxyHeader(spec({ authority: true, uniqueId: true, ssl: true }), { ...lo, srcPort: 0xa5da, dstPort: 0x728c }).toString('hex'),
      hex(`${SIG} 2111 0017 7f000001 7f000001 a5da 728c 05 0000 20 0005 00 00000000`).toString('hex'),
    );
    const got = buildProxyHeader(spec({ crc32c: true, authority: true }), { family: 'IPv4', src: '1.2.3.4', dst: '5.6.7.8', srcPort: 1, dstPort: 2, authority: Buffer.from('example.com') });
    assert.equal(got.toString('hex'), hex(`${SIG} 2111 0021 01020304 05060708 0001 0002 03 0004 65743955 02 000b`).toString('hex') + Buffer.from('example.com').toString('hex'));
    assert.equal(buildProxyHeader(spec({}), { family: undefined, src: undefined, dst: undefined, srcPort: undefined, dstPort: undefined }).toString('hex'), `${SIG}20000000`);
  });
});

// ---------------------------------------------------------------------------------------------

const servers: net.Server[] = [];
after(async () => {
  await stopPlanes();
  for (const s of servers) s.close();
});

const start = (text: string, mode: AcceptMode): Promise<DataPlane> => startPlane(text, { mode });

interface Conn {
  bytes: Buffer;
  /** How the connection ended: 'end' (FIN) or an error code (ECONNRESET). */
  readonly ended: Promise<string>;
  readonly sock: net.Socket;
}

/**
 * A raw TCP server recording what each connection sends; `reply` answers (and may end) it;
 * `finBack`: a client's FIN is answered with the server's.
 */
async function recorder(reply: (bytes: Buffer, c: net.Socket) => void = () => undefined, opts: { finBack?: boolean } = {}) {
  const conns: Conn[] = [];
  const events = new EventEmitter();
  const srv = net.createServer({ allowHalfOpen: true }, (sock) => {
    let ended!: (how: string) => void;
    const c: Conn = { bytes: Buffer.alloc(0), ended: new Promise((r) => (ended = r)), sock };
    sock.on('data', (d) => {
      c.bytes = Buffer.concat([c.bytes, d]);
      reply(c.bytes, sock);
    });
    sock.on('end', () => {
      ended('end');
      if (opts.finBack) sock.end();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => ended(e.code ?? 'error'));
    sock.on('close', () => ended('close'));
    conns.push(c);
    events.emit('conn', c);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  servers.push(srv);
  return {
    port: (srv.address() as net.AddressInfo).port,
    conns,
    /** The next connection made from now on. */
    next: async (): Promise<Conn> => ((await once(events, 'conn')) as [Conn])[0],
  };
}

/** Reply with everything received once "END" arrived, then close. */
const echoAtEnd = (bytes: Buffer, c: net.Socket): void => {
  if (bytes.includes('END')) c.end(Buffer.concat([Buffer.from('got:'), bytes]));
};

interface Talk {
  readonly data: Buffer;
  /** 'end' (FIN), or the error code (ECONNRESET). */
  readonly how: string;
  readonly ms: number;
  readonly local: { address: string; port: number };
}

/** Connect, write `bytes` (and FIN with `fin`), collect until the proxy closes. */
function talk(port: number, bytes: Buffer | string, opts: { fin?: boolean } = {}): Promise<Talk> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const t0 = Date.now();
    let data = Buffer.alloc(0);
    let how = '';
    let local = { address: '', port: 0 };
    c.on('connect', () => {
      local = { address: c.localAddress!, port: c.localPort! };
      if (bytes.length) c.write(bytes);
      if (opts.fin) c.end();
    });
    c.on('data', (d) => (data = Buffer.concat([data, d])));
    c.on('end', () => {
      how ||= 'end';
      c.end();
    });
    c.on('error', (e: NodeJS.ErrnoException) => (how ||= e.code ?? 'error'));
    c.on('close', () => resolve({ data, how, ms: Date.now() - t0, local }));
  });
}

const DEFAULTS = 'defaults\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n';

for (const mode of MODES) describe(`accept-proxy and send-proxy in TCP mode (accept mode: ${mode})`, () => {
  test('v1 in, v1 out: the server gets the addresses the client\'s header carried, then its bytes', async () => {
    const o = await recorder(echoAtEnd);
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n bind 127.0.0.1:${port} accept-proxy\n server s 127.0.0.1:${o.port} send-proxy\n`, mode);
    const r = await talk(port, 'PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\nhello END');
    assert.equal(r.data.toString(), 'got:PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\nhello END');
    assert.equal(r.how, 'end');
  });

  test('v2 TCPv6 in, v2 out: the same addresses in the server\'s header', async () => {
    const o = await recorder(echoAtEnd);
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n bind 127.0.0.1:${port} accept-proxy\n server s 127.0.0.1:${o.port} send-proxy-v2\n`, mode);
    const r = await talk(port, Buffer.concat([v2(0x21, 0x21, TCP6_BODY), Buffer.from('hello END')]));
    assert.equal(r.data.toString('hex'), Buffer.concat([Buffer.from('got:'), v2(0x21, 0x21, TCP6_BODY), Buffer.from('hello END')]).toString('hex'));
  });

  test('v2 LOCAL keeps the real addresses (and so does v1 UNKNOWN)', async () => {
    const o = await recorder(echoAtEnd);
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n bind 127.0.0.1:${port} accept-proxy\n server s 127.0.0.1:${o.port} send-proxy\n`, mode);
    const local = await talk(port, Buffer.concat([v2(0x20, 0x11, TCP4_BODY), Buffer.from('hello END')]));
    assert.equal(local.data.toString(), `got:PROXY TCP4 127.0.0.1 127.0.0.1 ${local.local.port} ${port}\r\nhello END`);
    const unknown = await talk(port, 'PROXY UNKNOWN\r\nhello END');
    assert.equal(unknown.data.toString(), `got:PROXY TCP4 127.0.0.1 127.0.0.1 ${unknown.local.port} ${port}\r\nhello END`);
  });

  test('a header alone, bytes later: nothing is lost, `balance source` hashes the header\'s address', async () => {
    const a = await recorder(echoAtEnd);
    const b = await recorder(echoAtEnd);
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n bind 127.0.0.1:${port} accept-proxy\n balance source\n server a 127.0.0.1:${a.port}\n server b 127.0.0.1:${b.port}\n`, mode);
    const map = haproxyMap(effectiveWeights([1, 1]));
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.0.2.77']) {
      const want = map[addressHash(Uint8Array.from(ip.split('.').map(Number))) % map.length] === 0 ? a : b;
      const next = Promise.race([a.next(), b.next()]);
      const c = net.connect({ port, host: '127.0.0.1' });
      let got = '';
      c.on('data', (d) => (got += d));
      c.write(`PROXY TCP4 ${ip} 127.0.0.1 40000 80\r\n`);
      // The server is connected once the header was read: the bytes go after it.
      assert.ok(want.conns.includes(await next), `${ip} went to the wrong server`);
      c.write('hello END');
      await once(c, 'close');
      assert.equal(got, 'got:hello END', ip);
    }
  });

  test('a header alone, then bytes, to a send-proxy server (the spliced path turns to JS for it)', async () => {
    const o = await recorder(echoAtEnd);
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n bind 127.0.0.1:${port} accept-proxy\n server s 127.0.0.1:${o.port} send-proxy\n`, mode);
    const c = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    c.on('data', (d) => (got += d));
    const next = o.next();
    c.write('PROXY TCP6 2001:db8::7 2001:db8::8 7 8\r\n');
    await next;
    c.write('hello END');
    await once(c, 'close');
    assert.equal(got, 'got:PROXY TCP6 2001:db8::7 2001:db8::8 7 8\r\nhello END');
  });

  test('a missing, bad or cut header closes without a word: reset when bytes came, FIN otherwise', async () => {
    const o = await recorder(echoAtEnd);
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n timeout client 400ms\n bind 127.0.0.1:${port} accept-proxy\n server s 127.0.0.1:${o.port}\n`, mode);
    for (const bad of ['GET / HTTP/1.0\r\n\r\n', 'PROXY TCP4 1.2.3.4 5.6', 'PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\n', 'hi']) {
      const r = await talk(port, bad);
      assert.deepEqual([r.how, r.data.length], ['ECONNRESET', 0], JSON.stringify(bad));
    }
    const crc = await talk(port, hex(`${SIG} 2111 0013 7f000001 7f000001 eaee 5070 03 0004 8004f97f`));
    assert.equal(crc.how, 'ECONNRESET');
    // The client closes first: a FIN back.
    assert.equal((await talk(port, '', { fin: true })).how, 'end');
    // Silence: `timeout client`, then a FIN.
    const idle = await talk(port, '');
    assert.equal(idle.how, 'end');
    assert.ok(idle.ms >= 350, `closed after ${idle.ms} ms`);
    assert.equal(o.conns.length, 0);
  });

  test('tcp-request connection rules see the real address, session rules the header\'s', async () => {
    const o = await recorder(echoAtEnd);
    const port = await freePort();
    await start(
      `global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n bind 127.0.0.1:${port} accept-proxy\n` +
        ` tcp-request connection reject if { src 1.2.3.4 }\n tcp-request session reject if { src 9.9.9.9 }\n server s 127.0.0.1:${o.port}\n`,
      mode,
    );
    assert.equal((await talk(port, 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nEND')).data.toString(), 'got:END');
    const refused = await talk(port, 'PROXY TCP4 9.9.9.9 5.6.7.8 1 2\r\nEND');
    assert.equal(refused.data.length, 0);
  });
});

for (const mode of MODES) describe(`accept-proxy and send-proxy in HTTP mode (accept mode: ${mode})`, () => {
  const GET = 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n';
  const body = (t: Talk): string => t.data.toString().split('\r\n\r\n')[1] ?? '';

  test('the fetches see the header\'s addresses: v1, v2 IPv6, LOCAL', async () => {
    const port = await freePort();
    await start(
      `global\n nbthread 1\n${DEFAULTS}frontend f\n mode http\n bind 127.0.0.1:${port} accept-proxy\n` +
        ' http-request return status 200 content-type text/plain lf-string "src=%[src] sp=%[src_port] dst=%[dst] dp=%[dst_port]"\n',
      mode,
    );
    assert.equal(body(await talk(port, `PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n${GET}`)), 'src=1.2.3.4 sp=1111 dst=5.6.7.8 dp=2222');
    assert.equal(body(await talk(port, Buffer.concat([v2(0x21, 0x21, TCP6_BODY), Buffer.from(GET)]))), 'src=2001:db8::1 sp=3333 dst=2001:db8::2 dp=4444');
    const local = await talk(port, Buffer.concat([v2(0x20, 0x00, Buffer.alloc(0)), Buffer.from(GET)]));
    assert.equal(body(local), `src=127.0.0.1 sp=${local.local.port} dst=127.0.0.1 dp=${port}`);
    const bad = await talk(port, GET);
    assert.deepEqual([bad.how, bad.data.length], ['ECONNRESET', 0]);
  });

  test('send-proxy-v2 with forwardfor: one private server connection per client, the header once', async () => {
    const o = await recorder((bytes, c) => {
      const n = bytes.toString('latin1').split('GET ').length - 1;
      const answered = (c as net.Socket & { answered?: number }).answered ?? 0;
      for (let i = answered; i < n; i++) c.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      (c as net.Socket & { answered?: number }).answered = n;
    });
    const port = await freePort();
    await start(
      `global\n nbthread 1\n${DEFAULTS}listen l\n mode http\n bind 127.0.0.1:${port} accept-proxy\n http-reuse always\n option forwardfor\n` +
        ` server s 127.0.0.1:${o.port} send-proxy-v2\n`,
      mode,
    );
    const keepAlive = async (header: Buffer): Promise<void> => {
      const c = net.connect({ port, host: '127.0.0.1' });
      let got = '';
      c.on('data', (d) => (got += d));
      c.write(Buffer.concat([header, Buffer.from('GET /1 HTTP/1.1\r\nhost: x\r\n\r\n')]));
      while (!got.endsWith('ok')) await once(c, 'data');
      c.write('GET /2 HTTP/1.1\r\nhost: x\r\n\r\n');
      while (got.split('ok').length < 3) await once(c, 'data');
      c.end();
      await once(c, 'close');
    };
    await keepAlive(v2(0x21, 0x11, TCP4_BODY));
    await keepAlive(v2(0x21, 0x11, hex('0a000001 05060708 0001 0050')));
    assert.equal(o.conns.length, 2);
    const [first, second] = o.conns.map((c) => c.bytes.toString('latin1'));
    assert.ok(first!.startsWith(v2(0x21, 0x11, TCP4_BODY).toString('latin1') + 'GET /1 '), first);
    assert.equal(first!.split(hex(SIG).toString('latin1')).length, 2, 'one header per connection');
    assert.match(first!, /GET \/2 HTTP\/1.1\r\nhost: x\r\nx-forwarded-for: 1.2.3.4\r\n/);
    assert.ok(second!.startsWith(v2(0x21, 0x11, hex('0a000001 05060708 0001 0050')).toString('latin1')), second);
    assert.match(second!, /x-forwarded-for: 10.0.0.1\r\n/);
  });
});

test('two hops: TCP send-proxy-v2 into HTTP accept-proxy + send-proxy: the origin learns the first client', async () => {
  const o = await recorder((bytes, c) => {
    if (bytes.includes('\r\n\r\n')) c.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
  });
  const [a, b] = [await freePort(), await freePort()];
  await start(`global\n nbthread 1\n${DEFAULTS}listen b\n mode http\n bind 127.0.0.1:${b} accept-proxy\n option forwardfor\n server o 127.0.0.1:${o.port} send-proxy\n`, MODES.at(-1)!);
  await start(`global\n nbthread 1\n${DEFAULTS}listen a\n mode tcp\n bind 127.0.0.1:${a}\n server b 127.0.0.1:${b} send-proxy-v2\n`, MODES.at(-1)!);
  const r = await talk(a, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  assert.match(r.data.toString(), /\r\n\r\nok$/);
  const seen = o.conns[0]!.bytes.toString();
  assert.ok(seen.startsWith(`PROXY TCP4 127.0.0.1 127.0.0.1 ${r.local.port} ${a}\r\nGET / HTTP/1.1\r\n`), seen);
  assert.match(seen, /x-forwarded-for: 127.0.0.1\r\n/);
});

describe('option nolinger (closes are resets, as haproxy 2.6.12 sends them)', () => {
  for (const mode of MODES) {
    test(`frontend: a client that sent its FIN is reset when the session ends (accept mode: ${mode})`, async () => {
      const o = await recorder(undefined, { finBack: true });
      const [nl, plain] = [await freePort(), await freePort()];
      await start(
        `global\n nbthread 1\n${DEFAULTS}frontend nl\n mode tcp\n option nolinger\n bind 127.0.0.1:${nl}\n default_backend b\n` +
          `frontend plain\n mode tcp\n bind 127.0.0.1:${plain}\n default_backend b\nbackend b\n mode tcp\n server s 127.0.0.1:${o.port}\n`,
        mode,
      );
      assert.equal((await talk(nl, 'x', { fin: true })).how, 'ECONNRESET');
      assert.equal((await talk(plain, 'x', { fin: true })).how, 'end');
      // The server ends first: the client still gets its FIN.
      const o2 = await recorder(echoAtEnd);
      const port = await freePort();
      await start(`global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n option nolinger\n bind 127.0.0.1:${port}\n server s 127.0.0.1:${o2.port}\n`, mode);
      const r = await talk(port, 'END');
      assert.deepEqual([r.data.toString(), r.how], ['got:END', 'end']);
    });
  }

  test('backend: the client\'s FIN reaches the server as a reset; timeouts too', async () => {
    // The server answers each byte: the client's FIN then surely comes in a later read than its
    // bytes (a FIN read along with them is forwarded as a FIN, as haproxy does).
    const o = await recorder((_b, c) => void c.write('y'));
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}listen l\n mode tcp\n option nolinger\n timeout client 300ms\n bind 127.0.0.1:${port}\n server s 127.0.0.1:${o.port}\n`, MODES.at(-1)!);
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    c.on('error', () => undefined);
    const conn = await o.next();
    c.write('x');
    await once(c, 'data');
    c.end();
    assert.equal(await conn.ended, 'ECONNRESET');
    c.destroy();
    // An idle session's timeout resets the server too.
    const idle = net.connect({ port, host: '127.0.0.1' });
    idle.on('error', () => undefined);
    const conn2 = await o.next();
    assert.equal(await conn2.ended, 'ECONNRESET');
    idle.destroy();
  });

  test('HTTP frontend: a keep-alive client that closes is reset', async () => {
    const port = await freePort();
    await start(`global\n nbthread 1\n${DEFAULTS}frontend f\n mode http\n option nolinger\n bind 127.0.0.1:${port}\n http-request return status 200\n`, MODES.at(-1)!);
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let how = '';
    c.on('error', (e: NodeJS.ErrnoException) => (how ||= e.code ?? ''));
    c.on('end', () => (how ||= 'end'));
    const closed = new Promise((r) => c.once('close', r));
    c.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(c, 'data');
    c.end();
    await closed;
    assert.equal(how, 'ECONNRESET');
  });
});

test('server PROXY options: HAProxy\'s messages (checks with the header are accepted)', () => {
  const r = checkConfigText(
    `${DEFAULTS}backend b\n mode tcp\n server s1 127.0.0.1:1 proxy-v2-options foo\n server s2 127.0.0.1:1 send-proxy-v2 proxy-v2-options ssl,\n` +
      ' server s3 127.0.0.1:1 send-proxy check\n server s4 127.0.0.1:1 send-proxy check port 80\n server s5 127.0.0.1:1 send-proxy-v2 proxy-v2-options crc32c,authority,unique-id,cert-cn\n',
  );
  assert.equal(r.code, 1);
  assert.deepEqual(r.err.split('\n').filter((l) => l.includes("'server b/")), [
    "[ALERT]    (PID) : config : [t.cfg:7] : 'server b/s1' : 'foo' : proxy v2 option not implemented.",
    "[ALERT]    (PID) : config : [t.cfg:8] : 'server b/s2' : '' : proxy v2 option not implemented.",
  ]);
});
