// Records how the real HAProxy 2.6 answers a corpus of malformed and hostile HTTP/1.1
// requests, so the codec's strictness is checked against behaviour rather than memory.
//
//   npx tsc -p tsconfig.json && node dist/test/tools/record-http-corpus.js
//
// It starts a loopback backend (records every byte it receives, answers a fixed 200 after a
// 600 ms delay so HAProxy has time to act on a bad or late body first), writes a `mode http`
// config with default tunables, runs `haproxy -f cfg -db`, sends each request on a fresh connection
// and writes test/fixtures/http-hostile/corpus.json:
//   [{ name, request, splitAt?, haproxy: { status, forwarded, received?, note? } }]
// `request` is latin1: each char code is one byte on the wire. `status` is the status code of
// the first response line HAProxy sent (null: closed, or silent until the deadline), and
// `forwarded` whether any byte reached the backend; `received` is the start of what it got.
// It does nothing under `node --test` (NODE_TEST_CONTEXT set).
// Environment: HAPROXY_BIN (default /usr/sbin/haproxy).

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { once } from 'node:events';
import { freePort, connectWhenUp } from '../helpers/net.js';

export interface CorpusCase {
  name: string;
  request: string;
  /** The request went out in two writes, split at this offset, 200 ms apart. */
  splitAt?: number;
  haproxy: {
    status: number | null;
    forwarded: boolean;
    /** First bytes the backend received (latin1), when it received any. */
    received?: string;
    note?: string;
  };
}

interface CaseDef {
  name: string;
  request: string;
  note?: string;
  /** What the backend answers (probe mode only); default a fixed 200 with a 2-byte body. */
  response?: string;
  /** Send request[0, splitAt) first and the rest 200 ms later (a body arriving late). */
  splitAt?: number;
}

const H = 'Host: example.com\r\n';

/** A request line, header lines (each without CRLF) and an optional body, CRLF-joined. */
function req(line: string, headers: string[], body = ''): string {
  return `${line}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
}
const get = (headers: string[] = []): string => req('GET / HTTP/1.1', ['Host: example.com', ...headers]);
const post = (headers: string[], body: string): string => req('POST /p HTTP/1.1', ['Host: example.com', ...headers], body);
const chunked = (body: string): string => post(['Transfer-Encoding: chunked'], body);

function manyHeaders(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`X-H${i}: v`);
  return out;
}

export const CASES: readonly CaseDef[] = [
  // --- controls: valid requests that must pass
  { name: 'valid-get', request: get() },
  { name: 'valid-post-cl', request: post(['Content-Length: 5'], 'hello') },
  { name: 'valid-post-chunked', request: chunked('5\r\nhello\r\n0\r\n\r\n') },
  { name: 'valid-http10-no-host', request: 'GET / HTTP/1.0\r\n\r\n' },
  { name: 'valid-leading-crlf', request: `\r\n${get()}` },
  { name: 'valid-leading-crlf-x3', request: `\r\n\r\n\r\n${get()}` },
  { name: 'leading-lf-only', request: `\n${get()}` },
  { name: 'leading-space', request: ` ${get()}` },
  { name: 'valid-expect-100', request: post(['Content-Length: 5', 'Expect: 100-continue'], 'hello') },
  { name: 'valid-upgrade-websocket', request: get(['Connection: Upgrade', 'Upgrade: websocket']) },
  { name: 'valid-obs-text-value', request: get(['X-A: caf\xe9']) },
  { name: 'valid-trailing-ows-value', request: get(['X-A: v \t']) },
  { name: 'valid-empty-value', request: get(['X-A:']) },
  { name: 'valid-no-space-after-colon', request: get(['X-A:v']) },
  { name: 'valid-pipelined-two', request: get() + get() },
  // --- Content-Length
  { name: 'cl-then-te', request: post(['Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n') },
  { name: 'te-then-cl', request: post(['Transfer-Encoding: chunked', 'Content-Length: 5'], '0\r\n\r\n') },
  { name: 'cl-dup-same', request: post(['Content-Length: 5', 'Content-Length: 5'], 'hello') },
  { name: 'cl-dup-different', request: post(['Content-Length: 5', 'Content-Length: 6'], 'hello!') },
  { name: 'cl-list-same', request: post(['Content-Length: 5, 5'], 'hello') },
  { name: 'cl-list-different', request: post(['Content-Length: 5, 6'], 'hello!') },
  { name: 'cl-list-empty-element', request: post(['Content-Length: 5,'], 'hello') },
  { name: 'cl-plus-sign', request: post(['Content-Length: +5'], 'hello') },
  { name: 'cl-minus-sign', request: post(['Content-Length: -5'], 'hello') },
  { name: 'cl-inner-space', request: post(['Content-Length: 5 5'], 'hello') },
  { name: 'cl-hex', request: post(['Content-Length: 0x5'], 'hello') },
  { name: 'cl-letters', request: post(['Content-Length: 5a'], 'hello') },
  { name: 'cl-empty', request: post(['Content-Length:'], 'hello') },
  { name: 'cl-huge', request: post(['Content-Length: 99999999999999999999999'], 'hello') },
  { name: 'cl-2pow64', request: post(['Content-Length: 18446744073709551616'], 'hello') },
  { name: 'cl-leading-zeros', request: post(['Content-Length: 005'], 'hello') },
  { name: 'cl-trailing-ows', request: post(['Content-Length: 5 \t'], 'hello') },
  { name: 'cl-zero-get', request: get(['Content-Length: 0']) },
  { name: 'cl-case-name', request: post(['cOnTeNt-LeNgTh: 5'], 'hello') },
  { name: 'cl-space-before-colon', request: post(['Content-Length : 5'], 'hello') },
  { name: 'cl-fold', request: `POST /p HTTP/1.1\r\n${H}Content-Length:\r\n 5\r\n\r\nhello` },
  // --- Transfer-Encoding
  { name: 'te-chunked-identity', request: post(['Transfer-Encoding: chunked, identity'], '0\r\n\r\n') },
  { name: 'te-identity-chunked', request: post(['Transfer-Encoding: identity, chunked'], '0\r\n\r\n') },
  { name: 'te-gzip-chunked', request: post(['Transfer-Encoding: gzip, chunked'], '0\r\n\r\n') },
  { name: 'te-gzip-only', request: post(['Transfer-Encoding: gzip'], 'hello') },
  { name: 'te-identity-only', request: post(['Transfer-Encoding: identity'], 'hello') },
  { name: 'te-chunked-trailing-space', request: post(['Transfer-Encoding: chunked '], '0\r\n\r\n') },
  { name: 'te-xchunked', request: post(['Transfer-Encoding: xchunked'], '0\r\n\r\n') },
  { name: 'te-uppercase', request: post(['Transfer-Encoding: CHUNKED'], '0\r\n\r\n') },
  { name: 'te-chunked-twice-list', request: post(['Transfer-Encoding: chunked, chunked'], '0\r\n\r\n') },
  { name: 'te-two-headers-gzip-chunked', request: post(['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked'], '0\r\n\r\n') },
  { name: 'te-two-headers-chunked-gzip', request: post(['Transfer-Encoding: chunked', 'Transfer-Encoding: gzip'], '0\r\n\r\n') },
  { name: 'te-empty', request: post(['Transfer-Encoding:'], '0\r\n\r\n') },
  { name: 'te-http10', request: req('POST /p HTTP/1.0', ['Transfer-Encoding: chunked'], '0\r\n\r\n') },
  { name: 'te-http10-with-cl', request: req('POST /p HTTP/1.0', ['Transfer-Encoding: chunked', 'Content-Length: 5'], '0\r\n\r\n') },
  { name: 'te-vtab-prefix', request: post(['Transfer-Encoding: \x0bchunked'], '0\r\n\r\n') },
  { name: 'te-chunked-param', request: post(['Transfer-Encoding: chunked;q=1'], '0\r\n\r\n') },
  { name: 'te-space-before-colon', request: post(['Transfer-Encoding : chunked', 'Content-Length: 5'], 'hello') },
  { name: 'te-fold', request: `POST /p HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n` },
  { name: 'te-header-te-trailers', request: get(['TE: trailers']) },
  // --- chunked bodies behind a valid head
  { name: 'chunk-size-not-hex', request: chunked('g\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-negative', request: chunked('-5\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-0x-prefix', request: chunked('0x5\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-overflow', request: chunked('fffffffffffffffff5\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-leading-space', request: chunked(' 5\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-trailing-space', request: chunked('5 \r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-trailing-tab', request: chunked('5\t\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-empty', request: chunked('\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-extension', request: chunked('5;foo=bar\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-extension-space', request: chunked('5 ;foo="b a r"\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-bare-lf', request: chunked('5\nhello\n0\n\n') },
  { name: 'chunk-data-missing-crlf', request: chunked('5\r\nhelloXX0\r\n\r\n') },
  { name: 'chunk-data-too-long', request: chunked('3\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-uppercase-hex', request: chunked('A\r\n0123456789\r\n0\r\n\r\n') },
  { name: 'chunk-leading-zeros', request: chunked('0005\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-trailer-valid', request: chunked('5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n') },
  { name: 'chunk-trailer-bad-name', request: chunked('5\r\nhello\r\n0\r\nX T: 1\r\n\r\n') },
  { name: 'chunk-last-00', request: chunked('5\r\nhello\r\n00\r\n\r\n') },
  { name: 'chunk-cr-only', request: chunked('5\rhello\r0\r\r') },
  // --- obs-fold, whitespace and odd bytes in header lines
  { name: 'obs-fold-space', request: `GET / HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n` },
  { name: 'obs-fold-tab', request: `GET / HTTP/1.1\r\n${H}X-A: a\r\n\tb\r\n\r\n` },
  { name: 'obs-fold-first-line', request: `GET / HTTP/1.1\r\n ${H}\r\n` },
  { name: 'space-before-colon', request: get(['X-A : v']) },
  { name: 'tab-before-colon', request: get(['X-A\t: v']) },
  { name: 'host-space-before-colon', request: 'GET / HTTP/1.1\r\nHost : example.com\r\n\r\n' },
  { name: 'empty-header-name', request: get([': v']) },
  { name: 'no-colon', request: get(['X-A v']) },
  { name: 'nul-in-name', request: get(['X-\x00A: v']) },
  { name: 'nul-in-value', request: get(['X-A: a\x00b']) },
  { name: 'cr-in-value', request: get(['X-A: a\rb']) },
  { name: 'cr-in-name', request: get(['X-\rA: v']) },
  { name: 'lf-in-value-splits', request: get(['X-A: a\nX-B: b']) },
  { name: 'del-in-name', request: get(['X-\x7fA: v']) },
  { name: 'del-in-value', request: get(['X-A: a\x7fb']) },
  { name: 'ctl-01-in-value', request: get(['X-A: a\x01b']) },
  { name: 'tab-in-value', request: get(['X-A: a\tb']) },
  { name: 'vtab-in-value', request: get(['X-A: a\x0bb']) },
  { name: 'high-byte-in-name', request: get(['X-\xe9: v']) },
  { name: 'paren-in-name', request: get(['X-(A): v']) },
  { name: 'quote-in-name', request: get(['X-"A": v']) },
  { name: 'at-in-name', request: get(['X@A: v']) },
  { name: 'slash-in-name', request: get(['X/A: v']) },
  { name: 'token-specials-in-name', request: get(["X!#$%&'*+-.^_`|~A: v"]) },
  { name: 'space-in-name', request: get(['X A: v']) },
  // --- methods
  { name: 'method-lowercase', request: 'get / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'method-unknown-token', request: 'FOO / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'method-non-token', request: 'GE(T / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'method-high-byte', request: 'G\xc9T / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'method-empty', request: ' / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'method-long-200', request: `${'A'.repeat(200)} / HTTP/1.1\r\nHost: example.com\r\n\r\n` },
  // --- URIs
  { name: 'uri-space', request: 'GET /a b HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-dquote', request: 'GET /a"b HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-lt-gt', request: 'GET /a<b> HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-backslash', request: 'GET /a\\b HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-caret-backtick', request: 'GET /a^b`c HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-braces-pipe', request: 'GET /a{b|c} HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-del', request: 'GET /a\x7fb HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-high-byte', request: 'GET /caf\xe9 HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-nul', request: 'GET /a\x00b HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-ctl-01', request: 'GET /a\x01b HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-fragment', request: 'GET /a#frag HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-percent-bad', request: 'GET /a%zz HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-form', request: 'GET http://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-host-mismatch', request: 'GET http://other.example/x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-authority-form-connect', request: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n' },
  { name: 'uri-authority-form-get', request: 'GET example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-asterisk-options', request: 'OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-asterisk-get', request: 'GET * HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-relative-no-slash', request: 'GET foo HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-empty-double-space', request: 'GET  HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-20k', request: `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: example.com\r\n\r\n` },
  { name: 'uri-15k', request: `GET /${'a'.repeat(15000)} HTTP/1.1\r\nHost: example.com\r\n\r\n` },
  // --- request line shape and versions
  { name: 'http09-line', request: 'GET /\r\n\r\n' },
  { name: 'http09-line-with-headers', request: 'GET /\r\nHost: example.com\r\n\r\n' },
  { name: 'version-missing-trailing-space', request: 'GET / \r\nHost: example.com\r\n\r\n' },
  { name: 'version-http20', request: 'GET / HTTP/2.0\r\nHost: example.com\r\n\r\n' },
  { name: 'version-http12', request: 'GET / HTTP/1.2\r\nHost: example.com\r\n\r\n' },
  { name: 'version-http110', request: 'GET / HTTP/1.10\r\nHost: example.com\r\n\r\n' },
  { name: 'version-http30', request: 'GET / HTTP/3.0\r\nHost: example.com\r\n\r\n' },
  { name: 'version-http09-explicit', request: 'GET / HTTP/0.9\r\nHost: example.com\r\n\r\n' },
  { name: 'version-lowercase', request: 'GET / http/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'version-rtsp', request: 'GET / RTSP/1.0\r\nHost: example.com\r\n\r\n' },
  { name: 'version-trailing-space', request: 'GET / HTTP/1.1 \r\nHost: example.com\r\n\r\n' },
  { name: 'version-trailing-garbage', request: 'GET / HTTP/1.1 x\r\nHost: example.com\r\n\r\n' },
  { name: 'version-1-no-minor', request: 'GET / HTTP/1\r\nHost: example.com\r\n\r\n' },
  { name: 'version-http11-letter', request: 'GET / HTTP/1.x\r\nHost: example.com\r\n\r\n' },
  { name: 'line-tab-separators', request: 'GET\t/\tHTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'line-double-space-after-method', request: 'GET  / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'line-double-space-before-version', request: 'GET /  HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'h2-preface', request: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' },
  { name: 'tls-client-hello', request: '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' },
  // --- line endings
  { name: 'bare-lf-everywhere', request: 'GET / HTTP/1.1\nHost: example.com\nX-A: v\n\n' },
  { name: 'lf-only-end-of-head', request: 'GET / HTTP/1.1\r\nHost: example.com\r\n\n' },
  { name: 'bare-lf-request-line', request: 'GET / HTTP/1.1\nHost: example.com\r\n\r\n' },
  { name: 'bare-cr-request-line', request: 'GET / HTTP/1.1\rHost: example.com\r\n\r\n' },
  { name: 'bare-cr-end-of-head', request: 'GET / HTTP/1.1\r\nHost: example.com\r\n\r' },
  { name: 'bare-lf-post-cl', request: 'POST /p HTTP/1.1\nHost: example.com\nContent-Length: 5\n\nhello' },
  // --- limits
  { name: 'headers-100', request: get(manyHeaders(99)), note: '100 header lines + request line = 101 = tune.http.maxhdr' },
  { name: 'headers-101', request: get(manyHeaders(100)), note: '101 header lines + request line' },
  { name: 'headers-150', request: get(manyHeaders(149)) },
  { name: 'head-15000', request: get([`X-Big: ${'b'.repeat(14900)}`]), note: 'head just under bufsize - maxrewrite (15360)' },
  { name: 'head-15500', request: get([`X-Big: ${'b'.repeat(15400)}`]), note: 'head over bufsize - maxrewrite, under bufsize' },
  { name: 'head-17000', request: get([`X-Big: ${'b'.repeat(16900)}`]), note: 'head over bufsize' },
  // --- Host
  { name: 'host-missing-http11', request: 'GET / HTTP/1.1\r\nX-A: v\r\n\r\n' },
  { name: 'host-dup-same', request: 'GET / HTTP/1.1\r\nHost: example.com\r\nHost: example.com\r\n\r\n' },
  { name: 'host-dup-different', request: 'GET / HTTP/1.1\r\nHost: example.com\r\nHost: evil.example\r\n\r\n' },
  { name: 'host-empty', request: 'GET / HTTP/1.1\r\nHost:\r\n\r\n' },
  { name: 'host-with-space', request: 'GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n' },
  { name: 'host-absolute-uri-same', request: 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'host-absolute-uri-mismatch-port', request: 'GET http://example.com:81/ HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  // --- Connection / hop-by-hop
  { name: 'connection-close', request: get(['Connection: close']) },
  { name: 'connection-token-list', request: get(['Connection: keep-alive, X-Secret', 'X-Secret: 1']) },
  { name: 'connection-content-length', request: post(['Connection: Content-Length', 'Content-Length: 5'], 'hello') },
  { name: 'expect-100-get', request: get(['Expect: 100-continue']) },
  { name: 'expect-unknown', request: get(['Expect: 200-ok']) },
  // --- found while probing: more Transfer-Encoding list shapes
  { name: 'te-chunked-trailing-comma', request: post(['Transfer-Encoding: chunked,'], '0\r\n\r\n') },
  { name: 'te-chunked-double-comma', request: post(['Transfer-Encoding: chunked,,'], '0\r\n\r\n') },
  { name: 'te-leading-comma', request: post(['Transfer-Encoding: , chunked'], '0\r\n\r\n') },
  { name: 'te-chunked-gzip-chunked', request: post(['Transfer-Encoding: chunked, gzip, chunked'], '0\r\n\r\n') },
  { name: 'te-identity-with-cl', request: post(['Content-Length: 5', 'Transfer-Encoding: identity'], 'hello') },
  { name: 'te-gzip-chunked-with-bad-cl', request: post(['Transfer-Encoding: gzip, chunked', 'Content-Length: abc'], '0\r\n\r\n') },
  { name: 'te-then-cl-invalid', request: post(['Transfer-Encoding: chunked', 'Content-Length: abc'], '0\r\n\r\n') },
  { name: 'te-then-cl-conflicting', request: post(['Transfer-Encoding: chunked', 'Content-Length: 1', 'Content-Length: 2'], '0\r\n\r\n') },
  { name: 'te-get', request: get(['Transfer-Encoding: chunked']) + '0\r\n\r\n' },
  { name: 'cl-te-then-pipelined', request: `${post(['Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n')}${get()}`, note: 'HAProxy answers the first with connection: close' },
  // --- more Content-Length shapes
  { name: 'cl-ullong-max', request: post(['Content-Length: 18446744073709551615'], 'hello') },
  { name: 'cl-2pow64-plus1', request: post(['Content-Length: 18446744073709551617'], 'hello'), note: 'HAProxy wraps to 1 and forwards one body byte' },
  { name: 'cl-20-nines', request: post(['Content-Length: 99999999999999999999'], 'hello') },
  { name: 'cl-list-double-comma', request: post(['Content-Length: 5,,5'], 'hello') },
  { name: 'cl-list-leading-comma', request: post(['Content-Length: ,5'], 'hello') },
  { name: 'cl-dup-leading-zero', request: post(['Content-Length: 5', 'Content-Length: 05'], 'hello') },
  { name: 'cl-dup-101-times', request: post(Array.from({ length: 101 }, () => 'Content-Length: 0'), ''), note: 'merged duplicates do not count towards maxhdr' },
  // --- more chunked bodies
  { name: 'chunk-ext-ctl', request: chunked('5;a\x01b\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-ext-nul', request: chunked('5;a\x00b\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-ext-bare-cr', request: chunked('5;a\rb\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-space-junk', request: chunked('5 x\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-17-digits-leading-zeros', request: chunked('00000000000000005\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-size-15-f', request: chunked('fffffffffffffff\r\nhello\r\n0\r\n\r\n') },
  { name: 'chunk-data-lf-only', request: chunked('5\r\nhello\n0\r\n\r\n') },
  { name: 'chunk-trailer-nul', request: chunked('0\r\nX-T: a\x00b\r\n\r\n') },
  { name: 'chunk-trailer-no-colon', request: chunked('0\r\nXT\r\n\r\n') },
  { name: 'chunk-trailer-fold', request: chunked('0\r\nX-T: a\r\n b\r\n\r\n') },
  { name: 'chunk-trailer-bare-cr', request: chunked('0\r\nX-T: a\rb\r\n\r\n') },
  { name: 'chunk-trailer-space-before-colon', request: chunked('0\r\nX-T : a\r\n\r\n') },
  { name: 'chunk-trailer-empty-name', request: chunked('0\r\n: a\r\n\r\n') },
  { name: 'chunk-trailer-content-length', request: chunked('0\r\nContent-Length: 5\r\n\r\n') },
  // --- bodies that arrive after the head was forwarded
  { name: 'late-chunk-size-not-hex', request: chunked('zz\r\nhello\r\n0\r\n\r\n'), splitAt: chunked('').length },
  { name: 'late-chunk-data-missing-crlf', request: chunked('5\r\nhelloXX0\r\n\r\n'), splitAt: chunked('').length },
  { name: 'late-chunk-size-overflow', request: chunked('fffffffffffffffffff\r\n'), splitAt: chunked('').length },
  { name: 'late-chunk-trailer-no-colon', request: chunked('5\r\nhello\r\n0\r\nXT\r\n\r\n'), splitAt: chunked('').length },
  // --- URI / authority / Host
  { name: 'uri-del-before-space', request: 'GET /\x7f HTTP/1.1\r\nHost: example.com\r\n\r\n', note: 'DEL is refused only when HAProxy 2.6.12 meets it in its byte-wise loop (position dependent)' },
  { name: 'uri-brackets', request: 'GET /[x] HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-fragment-after-query', request: 'GET /a?b#c HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-relative-no-host', request: 'GET foo HTTP/1.1\r\n\r\n' },
  { name: 'uri-relative-host-equal', request: 'GET foo HTTP/1.1\r\nHost: foo\r\n\r\n' },
  { name: 'uri-authority-form-get-host-equal', request: 'GET example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n' },
  { name: 'uri-query-only', request: 'GET ?x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-scheme-one-slash', request: 'GET http:/x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-empty-authority', request: 'GET http:///x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-no-path', request: 'GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-query-no-path', request: 'GET http://example.com?x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-userinfo', request: 'GET http://u@example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-userinfo-in-host', request: 'GET http://u:p@example.com/x HTTP/1.1\r\nHost: u:p@example.com\r\n\r\n' },
  { name: 'uri-absolute-case', request: 'GET http://EXAMPLE.com/x HTTP/1.1\r\nHost: example.COM\r\n\r\n' },
  { name: 'uri-absolute-port-80', request: 'GET http://example.com:80/x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-https-443-host-port', request: 'GET https://example.com:443/x HTTP/1.1\r\nHost: example.com:443\r\n\r\n' },
  { name: 'uri-absolute-host-port-80', request: 'GET http://example.com/x HTTP/1.1\r\nHost: example.com:80\r\n\r\n' },
  { name: 'uri-absolute-https-port-80', request: 'GET https://example.com:80/x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-host-port-81', request: 'GET http://example.com/x HTTP/1.1\r\nHost: example.com:81\r\n\r\n' },
  { name: 'uri-absolute-empty-port', request: 'GET http://example.com:/x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'uri-absolute-ipv6', request: 'GET http://[::1]/x HTTP/1.1\r\nHost: [::1]\r\n\r\n' },
  { name: 'uri-absolute-empty-host', request: 'GET http://example.com/x HTTP/1.1\r\nHost:\r\n\r\n' },
  { name: 'uri-absolute-no-host-header', request: 'GET http://example.com/x HTTP/1.1\r\n\r\n' },
  { name: 'uri-absolute-other-scheme', request: 'GET ftp://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'connect-path', request: 'CONNECT /x HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'connect-asterisk', request: 'CONNECT * HTTP/1.1\r\n\r\n' },
  { name: 'connect-absolute', request: 'CONNECT http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'connect-no-port', request: 'CONNECT example.com HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'connect-no-host', request: 'CONNECT example.com:443 HTTP/1.1\r\n\r\n' },
  { name: 'connect-host-mismatch', request: 'CONNECT example.com:443 HTTP/1.1\r\nHost: other:443\r\n\r\n' },
  { name: 'host-dup-case', request: 'GET / HTTP/1.1\r\nHost: Example.COM\r\nHost: example.com\r\n\r\n' },
  { name: 'host-dup-port-differs', request: 'GET / HTTP/1.1\r\nHost: example.com\r\nHost: example.com:80\r\n\r\n' },
  { name: 'host-dup-trailing-dot', request: 'GET / HTTP/1.1\r\nHost: example.com.\r\nHost: example.com\r\n\r\n' },
  { name: 'host-dup-ows', request: 'GET / HTTP/1.1\r\nHost: a\r\nHost:  a \r\n\r\n' },
  { name: 'host-absolute-dup-host-differs', request: 'GET http://example.com/x HTTP/1.1\r\nHost: example.com\r\nHost: other\r\n\r\n' },
  // --- versions and request-line shapes
  { name: 'version-http00', request: 'GET / HTTP/1.0\r\n\r\n'.replace('1.0', '0.0') },
  { name: 'version-http99', request: 'GET / HTTP/9.9\r\nHost: example.com\r\n\r\n' },
  { name: 'version-http101', request: 'GET / HTTP/1.01\r\nHost: example.com\r\n\r\n' },
  { name: 'version-http011', request: 'GET / HTTP/01.1\r\nHost: example.com\r\n\r\n' },
  { name: 'version-mixed-case', request: 'GET / Http/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'version-trailing-tab', request: 'GET / HTTP/1.1\t\r\nHost: example.com\r\n\r\n' },
  { name: 'version-glued-char', request: 'GET / HTTP/1.1x\r\nHost: example.com\r\n\r\n' },
  { name: 'line-vtab-separator', request: 'GET\x0b/ HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'method-only', request: 'GET\r\nHost: example.com\r\n\r\n' },
  { name: 'method-del', request: 'G\x7fT / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'method-colon', request: 'G:T / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'method-nul', request: 'G\x00T / HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'options-relative', request: 'OPTIONS foo HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  { name: 'options-asterisk-http10', request: 'OPTIONS * HTTP/1.0\r\n\r\n' },
  { name: 'asterisk-prefix-path', request: 'GET *foo HTTP/1.1\r\nHost: example.com\r\n\r\n' },
  // --- line endings and empty lines
  { name: 'leading-crlf-lf-crlf', request: `\r\n\n\r\n${get()}` },
  { name: 'leading-bare-cr', request: `\r${get()}` },
  { name: 'leading-tab', request: `\t${get()}` },
  { name: 'only-empty-lines', request: '\r\n\r\n' },
  { name: 'lf-crlf-end-of-head', request: 'GET / HTTP/1.1\r\nHost: example.com\n\r\n' },
  { name: 'header-cr-cr-lf', request: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-A: a\r\r\n\r\n' },
  { name: 'header-name-only', request: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-A\r\n\r\n' },
  { name: 'header-colon-only', request: 'GET / HTTP/1.1\r\nHost: example.com\r\n:\r\n\r\n' },
  { name: 'header-name-trailing-ctl', request: get(['X\x01: 1']) },
  { name: 'header-value-only-spaces', request: get(['X-A:    ']) },
  { name: 'header-value-leading-tabs', request: get(['X-A:\t\tv']) },
  { name: 'obs-fold-empty-continuation', request: `GET / HTTP/1.1\r\n${H}X-A: a\r\n \r\n\r\n` },
  { name: 'obs-fold-into-cl', request: `POST / HTTP/1.1\r\n${H}Content-Length: 1\r\n 0\r\n\r\n0123456789` },
  { name: 'obs-fold-into-te', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n ,chunked\r\n\r\n0\r\n\r\n` },
  { name: 'obs-fold-host', request: `GET / HTTP/1.1\r\n${H.slice(0, -2)}\r\n b\r\n\r\n` },
  // --- Connection / Upgrade
  { name: 'hop-by-hop-headers', request: get(['Connection: Upgrade, Keep-Alive, X-Foo', 'Keep-Alive: timeout=5', 'Proxy-Connection: keep-alive', 'TE: trailers', 'Trailer: X-T', 'Upgrade: h2c', 'HTTP2-Settings: AAA', 'X-Foo: 1']), note: 'HAProxy strips only the keep-alive/close tokens' },
  { name: 'websocket-with-key', request: get(['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13']) },
  { name: 'websocket-without-connection-upgrade', request: get(['Upgrade: websocket']) },
  { name: 'websocket-mixed-case-no-key', request: get(['Connection: upgrade', 'Upgrade: WebSocket']) },
  { name: 'websocket-in-list-no-key', request: get(['Connection: upgrade', 'Upgrade: foo, websocket']) },
  { name: 'websocket-empty-key', request: get(['Connection: upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key:']) },
  { name: 'websocket-http10-no-key', request: 'GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n' },
  { name: 'websocket-no-key-and-te-gzip', request: post(['Connection: upgrade', 'Upgrade: websocket', 'Transfer-Encoding: gzip, chunked'], '0\r\n\r\n'), note: '422 wins over the missing key' },
  { name: 'upgrade-h2c', request: get(['Connection: Upgrade', 'Upgrade: h2c']) },
  { name: 'upgrade-empty', request: get(['Connection: upgrade', 'Upgrade:']) },
  { name: 'connection-keepalive-and-close', request: get(['Connection: keep-alive, close']) },
  { name: 'http10-keep-alive', request: 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n' },
  { name: 'expect-http10', request: 'POST /p HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello' },
];

function haproxyBin(): string {
  return process.env['HAPROXY_BIN'] ?? '/usr/sbin/haproxy';
}

interface Backend {
  port: number;
  /** Bytes received since the last reset, all connections together. */
  received(): Buffer;
  reset(): void;
  close(): void;
}

const DEFAULT_RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok';
let backendResponse = DEFAULT_RESPONSE;

/** Records everything it receives; each connection gets one answer, 600 ms after its first byte. */
async function startBackend(): Promise<Backend> {
  let chunks: Buffer[] = [];
  const conns = new Set<net.Socket>();
  const srv = net.createServer((c) => {
    conns.add(c);
    c.on('error', () => undefined);
    c.on('close', () => conns.delete(c));
    let answered = false;
    c.on('data', (d: Buffer) => {
      chunks.push(d);
      if (answered) return;
      answered = true;
      // The delay gives HAProxy time to reject a bad body before any answer exists.
      setTimeout(() => {
        if (!c.destroyed) c.write(Buffer.from(backendResponse, 'latin1'));
      }, 600);
    });
  });
  const port = await freePort();
  srv.listen(port, '127.0.0.1');
  await once(srv, 'listening');
  return {
    port,
    received: () => Buffer.concat(chunks),
    reset: () => {
      chunks = [];
    },
    close: () => {
      for (const c of conns) c.destroy();
      srv.close();
    },
  };
}

/** Sends `data`, returns what came back until close, or 700 ms after the first bytes, or 3 s. */
function exchange(port: number, data: Buffer, splitAt?: number): Promise<{ reply: Buffer; closed: boolean }> {
  return new Promise((resolveP) => {
    const got: Buffer[] = [];
    let done = false;
    const c = net.connect({ port, host: '127.0.0.1' });
    let settle: NodeJS.Timeout | undefined;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(overall);
      if (settle !== undefined) clearTimeout(settle);
      c.destroy();
      resolveP({ reply: Buffer.concat(got), closed });
    };
    const overall = setTimeout(() => finish(false), 3000);
    c.on('error', () => finish(true));
    c.on('close', () => finish(true));
    c.on('data', (d: Buffer) => {
      got.push(d);
      if (settle === undefined) settle = setTimeout(() => finish(false), 700);
    });
    c.on('connect', () => {
      if (splitAt === undefined) {
        c.write(data);
        return;
      }
      c.write(data.subarray(0, splitAt));
      setTimeout(() => {
        if (!c.destroyed) c.write(data.subarray(splitAt));
      }, 200);
    });
  });
}

function config(front: number, back: number): string {
  return [
    'global',
    '    log stderr format raw local0 info',
    '    nbthread 1',
    'defaults',
    '    mode http',
    '    log global',
    '    option httplog',
    '    timeout connect 1s',
    '    timeout client 2s',
    '    timeout server 2s',
    '    timeout http-request 1500ms',
    'frontend fe',
    `    bind 127.0.0.1:${front}`,
    '    default_backend be',
    'backend be',
    `    server s1 127.0.0.1:${back}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/test/tools -> repository root
  const root = resolve(here, '..', '..', '..');
  const outFile = join(root, 'test', 'fixtures', 'http-hostile', 'corpus.json');
  const only = process.argv.slice(2);
  // Probe mode: SY_CORPUS_PROBE=file.json runs those cases ({name, request, response?}) and
  // prints the full replies instead of writing the corpus.
  const probeFile = process.env['SY_CORPUS_PROBE'];
  const cases: readonly CaseDef[] = probeFile !== undefined ? (JSON.parse(await readFile(probeFile, 'utf8')) as CaseDef[]) : CASES;

  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
    seen.add(c.name);
  }
  const backend = await startBackend();
  const front = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'sy-http-corpus-'));
  const cfg = join(dir, 'haproxy.cfg');
  await writeFile(cfg, config(front, backend.port));
  const child = spawn(haproxyBin(), ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString('latin1')));
  try {
    (await connectWhenUp(front)).destroy();
    const out: CorpusCase[] = [];
    for (const def of cases) {
      if (only.length > 0 && !only.includes(def.name)) continue;
      backend.reset();
      backendResponse = def.response ?? DEFAULT_RESPONSE;
      const { reply } = await exchange(front, Buffer.from(def.request, 'latin1'), def.splitAt);
      // Late bytes to the backend (after HAProxy answered) still count as forwarded.
      await new Promise((r) => setTimeout(r, 50));
      const received = backend.received();
      const text = reply.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const entry: CorpusCase = {
        name: def.name,
        request: def.request,
        haproxy: { status: m ? Number(m[1]) : null, forwarded: received.length > 0 },
      };
      if (def.splitAt !== undefined) entry.splitAt = def.splitAt;
      if (received.length > 0) entry.haproxy.received = received.subarray(0, 400).toString('latin1');
      if (def.note !== undefined) entry.haproxy.note = def.note;
      if (!m && reply.length > 0) entry.haproxy.note = `${entry.haproxy.note ?? ''} reply: ${JSON.stringify(text.slice(0, 60))}`.trim();
      if (probeFile !== undefined) entry.haproxy.note = `reply: ${JSON.stringify(text.slice(0, 300))}`;
      out.push(entry);
      process.stdout.write(`${def.name.padEnd(36)} ${String(entry.haproxy.status).padEnd(5)} fwd=${entry.haproxy.forwarded}\n`);
    }
    if (only.length === 0 && probeFile === undefined) {
      await mkdir(dirname(outFile), { recursive: true });
      await writeFile(outFile, `${JSON.stringify(out, null, 1)}\n`);
      process.stdout.write(`wrote ${out.length} cases to ${outFile}\n`);
    } else {
      process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
    }
  } finally {
    child.kill('SIGTERM');
    backend.close();
    await rm(dir, { recursive: true, force: true });
    if (process.env['SY_CORPUS_LOG'] !== undefined) process.stderr.write(log);
  }
}

if (process.env['NODE_TEST_CONTEXT'] !== undefined) {
  process.stdout.write('record-http-corpus: skipped under the test runner\n');
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
