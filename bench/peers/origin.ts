// The benchmark's HTTP origin: a raw-socket HTTP/1.1 server, as cheap as Node allows, so the
// load core spends its time generating load rather than serving. It answers every request
// with a canned response: a small one (SMALL_BODY bytes), or LARGE_BYTES when the path starts
// with /large. It honours keep-alive, pipelining (answers in order, one write per batch),
// `Connection: close` and HTTP/1.0, and skips Content-Length request bodies. Chunked request
// bodies are not needed by any scenario and are answered 501 + close.
//
//   node origin.js PORT [LARGE_BYTES]    → prints "ready PORT" once listening

import net from 'node:net';

const SMALL_BODY = 64;

const port = Number(process.argv[2]);
const largeBytes = Number(process.argv[3] ?? 1 << 20);

const smallBody = 'x'.repeat(SMALL_BODY - 1) + '\n';
const head = (len: number, close: boolean): Buffer =>
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${len}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`);
const SMALL_KA = Buffer.concat([head(SMALL_BODY, false), Buffer.from(smallBody)]);
const SMALL_CLOSE = Buffer.concat([head(SMALL_BODY, true), Buffer.from(smallBody)]);
const LARGE_HEAD_KA = head(largeBytes, false);
const LARGE_HEAD_CLOSE = head(largeBytes, true);
const LARGE_BODY = Buffer.alloc(largeBytes, 0x61);
const NOT_IMPLEMENTED = Buffer.from('HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');

const CRLFCRLF = Buffer.from('\r\n\r\n');

interface Head {
  large: boolean;
  close: boolean;
  bodyBytes: number;
  chunked: boolean;
}

/** What the origin needs from a request head (latin1 text, without the final blank line). */
function readHead(text: string): Head {
  const lineEnd = text.indexOf('\r\n');
  const requestLine = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const sp = requestLine.indexOf(' ');
  const large = requestLine.startsWith('/large', sp + 1);
  const http10 = requestLine.endsWith('HTTP/1.0');
  const lower = text.toLowerCase();
  const conn = /\r\nconnection:[ \t]*([^\r]*)/.exec(lower)?.[1] ?? '';
  const close = http10 ? !conn.includes('keep-alive') : conn.includes('close');
  const cl = /\r\ncontent-length:[ \t]*(\d+)/.exec(lower);
  const chunked = /\r\ntransfer-encoding:[^\r]*chunked/.test(lower);
  return { large, close, bodyBytes: cl ? Number(cl[1]) : 0, chunked };
}

function serve(c: net.Socket): void {
  c.setNoDelay(true);
  let pending: Buffer | undefined;
  let skip = 0; // request body bytes still to discard
  let closing = false;
  c.on('error', () => undefined);
  c.on('data', (chunk: Buffer) => {
    if (closing) return;
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    if (skip > 0) {
      const n = Math.min(skip, buf.length);
      skip -= n;
      buf = buf.subarray(n);
    }
    let off = 0;
    c.cork();
    while (off < buf.length) {
      const end = buf.indexOf(CRLFCRLF, off);
      if (end < 0) break;
      const h = readHead(buf.toString('latin1', off, end));
      off = end + 4;
      if (h.chunked) {
        c.end(NOT_IMPLEMENTED);
        closing = true;
        break;
      }
      const body = Math.min(h.bodyBytes, buf.length - off);
      off += body;
      skip = h.bodyBytes - body;
      if (h.large) {
        c.write(h.close ? LARGE_HEAD_CLOSE : LARGE_HEAD_KA);
        c.write(LARGE_BODY);
      } else c.write(h.close ? SMALL_CLOSE : SMALL_KA);
      if (h.close) {
        c.end();
        closing = true;
        break;
      }
      if (skip > 0) break;
    }
    c.uncork();
    if (!closing && off < buf.length && skip === 0) pending = Buffer.from(buf.subarray(off));
  });
}

net.createServer({ noDelay: true }, serve).listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`ready ${port}\n`);
});
