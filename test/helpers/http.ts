// HTTP test helpers: a minimal origin server over raw sockets, and a raw client that splits
// the responses it gets. Raw on purpose: the tests check bytes as HAProxy writes them.

import net from 'node:net';
import { once } from 'node:events';

/** Servers to close when the test file ends (a test's own after() would close them early). */
export const origins: net.Server[] = [];

export interface OriginRequest {
  /** The request head, without the final CRLF CRLF. */
  readonly head: string;
  readonly requestLine: string;
  readonly body: string;
}

/** Extra response headers (lines without CRLF) and status for a request. */
export type Responder = (req: OriginRequest) => { status?: number; headers?: string[] } | void;

export interface Backend {
  port: number;
  /** Raw bytes each connection sent. */
  readonly received: string[];
  close(): void;
}

/** A minimal HTTP/1.1 origin: answers each request head with its name and the request line. */
export async function origin(name: string, opts: { raw?: (c: net.Socket, data: string) => void; respond?: Responder } = {}): Promise<Backend> {
  const received: string[] = [];
  const srv = net.createServer((c) => {
    c.on('error', () => undefined);
    const idx = received.push('') - 1;
    let pending = '';
    c.on('data', (d) => {
      received[idx] += d.toString('latin1');
      if (opts.raw) return opts.raw(c, d.toString('latin1'));
      pending += d.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.slice(0, end);
        const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
        const bodyLen = cl ? Number(cl[1]) : 0;
        if (pending.length < end + 4 + bodyLen) return;
        const reqBody = pending.slice(end + 4, end + 4 + bodyLen);
        pending = pending.slice(end + 4 + bodyLen);
        const requestLine = head.split('\r\n')[0]!;
        const extra = opts.respond?.({ head, requestLine, body: reqBody }) ?? {};
        const body = `${name} ${requestLine}\n`;
        const hdrs = head.split('\r\n').slice(1).join('|');
        const more = (extra.headers ?? []).map((h) => `${h}\r\n`).join('');
        c.write(`HTTP/1.1 ${extra.status ?? 200} OK\r\nContent-Length: ${body.length}\r\nX-Req-Headers: ${hdrs}\r\n${more}\r\n${body}`);
      }
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  // Closed by the file's after(): a test's own after() would close it when that test ends.
  origins.push(srv);
  return { port: (srv.address() as net.AddressInfo).port, received, close: () => srv.close() };
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
}

/** Send raw bytes on a new connection; resolve with the first response (or the close). */
export function send(port: number, req: string, wantResponses = 1): Promise<Answer[]> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    let raw = '';
    const answers: Answer[] = [];
    const parse = (): void => {
      for (;;) {
        const end = raw.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = raw.slice(0, end).split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
        }
        const len = Number(headers['content-length'] ?? 0);
        if (raw.length < end + 4 + len) return;
        answers.push({ status: Number(lines[0]!.split(' ')[1]), headers, body: raw.slice(end + 4, end + 4 + len), raw: raw.slice(0, end + 4 + len) });
        raw = raw.slice(end + 4 + len);
        if (answers.length >= wantResponses) {
          c.destroy();
          resolve(answers);
          return;
        }
      }
    };
    c.on('data', (d) => {
      raw += d.toString('latin1');
      parse();
    });
    c.on('error', () => undefined);
    c.on('close', () => resolve(answers));
    c.write(req);
  });
}

