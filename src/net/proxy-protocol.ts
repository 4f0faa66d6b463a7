// The PROXY protocol (HAProxy's doc/proxy-protocol.txt), versions 1 and 2: reading the
// header a client sends first on an `accept-proxy` listener, and building the one a
// `send-proxy` / `send-proxy-v2` server gets first. Pure functions over bytes; the socket
// side is src/dataplane/accept-proxy.ts.
//
// Reading follows haproxy 2.6 (conn_recv_proxy), checked against haproxy 2.6.12:
// - The header is read from what the first read returns (HAProxy peeks once): a header cut
//   short is an error, not a wait.
// - v1 addresses are read as HAProxy reads them: TCP4 octets keep their last three digits and
//   carry into the next one ("1.2.3.300" is 1.2.4.44, "1.2.3" is 1.2.3.0), ports wrap at
//   65536; TCP6 addresses must pass inet_pton. "UNKNOWN" must be followed by CRLF at once.
// - v2: version 2 only, commands LOCAL and PROXY; LOCAL keeps the connection's own addresses
//   and skips the TLVs. PROXY over TCPv4/TCPv6 sets the addresses; any other family keeps them,
//   but its TLV walk starts at the signature (haproxy 2.6 leaves the offset at 0 there), which
//   in practice refuses the header. TLVs: CRC32C checked, AUTHORITY (<= 255 bytes) and
//   UNIQUE_ID (<= 128) kept, others skipped; a TLV past the end is an error.

import type { Json } from '../config/model.js';
// inet_pton / inet_ntop as glibc writes them, shared with the sample casts.
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6, v4tov6 } from '../rules/runtime/sample.js';

/** The addresses a header carries, as the session will see them (inet_ntop text). */
export interface Endpoints {
  readonly family: 'IPv4' | 'IPv6';
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

export interface ProxyHeader {
  /** Bytes the header takes at the start of the stream. */
  readonly length: number;
  /** null: LOCAL, UNKNOWN or an unsupported family (the connection's addresses stay). */
  readonly endpoints: Endpoints | null;
  /** v2 PP2_TYPE_AUTHORITY, passed on by `proxy-v2-options authority`. */
  readonly authority: Buffer | null;
  /** v2 PP2_TYPE_UNIQUE_ID. */
  readonly uniqueId: Buffer | null;
}

/**
 * Why a header was refused, with HAProxy's wording of each (conn_err_code_str), which its
 * logs print: "fe/bind: Received something which does not look like a PROXY protocol header".
 */
export const PROXY_ERRORS = {
  truncated: 'Truncated PROXY protocol header received',
  notHeader: 'Received something which does not look like a PROXY protocol header',
  badHeader: 'Received an invalid PROXY protocol header',
  badProto: 'Received an unhandled protocol in the PROXY protocol header',
  empty: 'Connection closed while waiting for PROXY protocol header',
  abort: 'Connection error while waiting for PROXY protocol header',
  timeout: 'Timeout while waiting for PROXY protocol header',
} as const;

export type ProxyError = keyof typeof PROXY_ERRORS;

export type ParseResult = { ok: true; header: ProxyHeader } | { ok: false; error: ProxyError };

/** The 12-byte v2 signature. */
export const PP2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const PP2_HEADER_LEN = 16;
const PP2_TYPE_ALPN = 0x01;
const PP2_TYPE_AUTHORITY = 0x02;
const PP2_TYPE_CRC32C = 0x03;
const PP2_TYPE_UNIQUE_ID = 0x05;
const PP2_TYPE_SSL = 0x20;
const PP2_AUTHORITY_MAX = 255;
const UNIQUEID_LEN = 128;

const fail = (error: ProxyError): ParseResult => ({ ok: false, error });

/**
 * Parse the header at the start of `buf`, the first bytes read from the connection. `max` is
 * the most HAProxy could have peeked (tune.bufsize): a v2 header longer than that is cut short.
 */
export function parseProxyHeader(buf: Buffer, max = 16384): ParseResult {
  const data = buf.length > max ? buf.subarray(0, max) : buf;
  if (data.length === 0) return fail('empty');
  if (data.length < 6) return fail('truncated');
  if (data.toString('latin1', 0, 6) === 'PROXY ') return parseV1(data);
  if (data.length < PP2_HEADER_LEN) return fail('truncated');
  if (!data.subarray(0, 12).equals(PP2_SIGNATURE) || (data[12]! & 0xf0) !== 0x20) return fail('notHeader');
  return parseV2(data);
}

function parseV1(data: Buffer): ParseResult {
  if (data.length < 9) return fail('truncated');
  const proto = data.toString('latin1', 6, 11);
  if (proto === 'TCP4 ') return parseTcp4(data, 11);
  if (proto === 'TCP6 ') return parseTcp6(data, 11);
  if (data.toString('latin1', 6, 15) === 'UNKNOWN\r\n') return { ok: true, header: { length: 15, endpoints: null, authority: null, uniqueId: null } };
  // Too short to tell UNKNOWN from something else: HAProxy compares what it has and refuses.
  return fail('badProto');
}

/** HAProxy's read_uint: decimal digits until a non-digit or `end`, wrapping at 2^32. */
function readUint(data: Buffer, at: number, end: number): { value: number; next: number } {
  let v = 0;
  let i = at;
  while (i < end) {
    const d = data[i]! - 0x30;
    if (d < 0 || d > 9) break;
    v = (Math.imul(v, 10) + d) >>> 0;
    i++;
  }
  return { value: v, next: i };
}

/**
 * HAProxy's inetaddr_host_lim_ret: up to four dot-separated groups; each group's last three
 * digits count, as a value that may exceed 255 and carry into the previous octet.
 */
function readV4(data: Buffer, at: number, end: number): { value: number; next: number } {
  let p = at;
  let text = at;
  let acc = 0;
  for (let shift = 24; ; shift -= 8) {
    while (p < end && data[p]! >= 0x30 && data[p]! <= 0x39) p++;
    let group = 0;
    for (let k = Math.max(text, p - 3); k < p; k++) group = group * 10 + (data[k]! - 0x30);
    acc = (acc + group * 2 ** shift) % 2 ** 32;
    if (shift === 0 || p === end || data[p] !== 0x2e) break;
    text = ++p;
  }
  return { value: acc, next: p };
}

const v4Text = (n: number): string => `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;

function parseTcp4(data: Buffer, at: number): ParseResult {
  const end = data.length;
  const src = readV4(data, at, end);
  if (src.next === end) return fail('truncated');
  if (data[src.next] !== 0x20) return fail('badHeader');
  const dst = readV4(data, src.next + 1, end);
  if (dst.next === end) return fail('truncated');
  if (data[dst.next] !== 0x20) return fail('badHeader');
  const sport = readUint(data, dst.next + 1, end);
  if (sport.next === end) return fail('truncated');
  if (data[sport.next] !== 0x20) return fail('badHeader');
  const dport = readUint(data, sport.next + 1, end);
  if (dport.next > end - 2) return fail('truncated');
  if (data[dport.next] !== 0x0d || data[dport.next + 1] !== 0x0a) return fail('badHeader');
  const endpoints: Endpoints = { family: 'IPv4', src: v4Text(src.value), srcPort: sport.value & 0xffff, dst: v4Text(dst.value), dstPort: dport.value & 0xffff };
  return { ok: true, header: { length: dport.next + 2, endpoints, authority: null, uniqueId: null } };
}

/**
 * TCP6 as HAProxy splits it: up to CRLF, the first three spaces start the destination and the
 * two ports (later spaces only end the field before them); each port must run to the end of
 * its field; both addresses must pass inet_pton.
 */
function parseTcp6(data: Buffer, at: number): ParseResult {
  const end = data.length;
  const cuts: number[] = [];
  let line = at;
  for (;;) {
    if (line > end - 2) return fail('truncated');
    if (data[line] === 0x0d) {
      if (data[line + 1] !== 0x0a) return fail('badHeader');
      break;
    }
    if (data[line] === 0x20) cuts.push(line);
    line++;
  }
  if (cuts.length < 3) return fail('badHeader');
  // Each field ends at the next space or at the CR (HAProxy writes NULs there).
  const fieldEnd = (from: number): number => cuts.find((c) => c >= from) ?? line;
  const srcText = data.toString('latin1', at, cuts[0]!);
  const dstText = data.toString('latin1', cuts[0]! + 1, fieldEnd(cuts[0]! + 1));
  const sport = readUint(data, cuts[1]! + 1, cuts[2]!);
  if (sport.next !== fieldEnd(cuts[1]! + 1)) return fail('badHeader');
  const dport = readUint(data, cuts[2]! + 1, line);
  if (dport.next !== fieldEnd(cuts[2]! + 1)) return fail('badHeader');
  const src = parseIpv6(srcText);
  const dst = parseIpv6(dstText);
  if (!src || !dst) return fail('badHeader');
  const endpoints: Endpoints = { family: 'IPv6', src: formatIpv6(src), srcPort: sport.value & 0xffff, dst: formatIpv6(dst), dstPort: dport.value & 0xffff };
  return { ok: true, header: { length: line + 2, endpoints, authority: null, uniqueId: null } };
}

function parseV2(data: Buffer): ParseResult {
  const total = PP2_HEADER_LEN + data.readUInt16BE(14);
  if (data.length < total) return fail('truncated');
  const cmd = data[12]! & 0x0f;
  if (cmd === 0x00) return { ok: true, header: { length: total, endpoints: null, authority: null, uniqueId: null } };
  if (cmd !== 0x01) return fail('badHeader');
  let endpoints: Endpoints | null = null;
  // haproxy 2.6 walks TLVs from offset 0 for a family it does not take (see the top comment).
  let tlv = 0;
  const fam = data[13]!;
  if (fam === 0x11) {
    if (total - PP2_HEADER_LEN < 12) return fail('badHeader');
    endpoints = { family: 'IPv4', src: formatIpv4(data.subarray(16, 20)), dst: formatIpv4(data.subarray(20, 24)), srcPort: data.readUInt16BE(24), dstPort: data.readUInt16BE(26) };
    tlv = PP2_HEADER_LEN + 12;
  } else if (fam === 0x21) {
    if (total - PP2_HEADER_LEN < 36) return fail('badHeader');
    endpoints = { family: 'IPv6', src: formatIpv6(data.subarray(16, 32)), dst: formatIpv6(data.subarray(32, 48)), srcPort: data.readUInt16BE(48), dstPort: data.readUInt16BE(50) };
    tlv = PP2_HEADER_LEN + 36;
  }
  let authority: Buffer | null = null;
  let uniqueId: Buffer | null = null;
  while (tlv < total) {
    if (tlv + 3 > total) return fail('badHeader');
    const type = data[tlv]!;
    const len = data.readUInt16BE(tlv + 1);
    const value = tlv + 3;
    tlv = value + len;
    if (tlv > total) return fail('badHeader');
    if (type === PP2_TYPE_CRC32C) {
      if (len !== 4) return fail('badHeader');
      const header = Buffer.from(data.subarray(0, total));
      const sent = header.readUInt32BE(value);
      header.writeUInt32BE(0, value);
      if (crc32c(header) !== sent) return fail('badHeader');
    } else if (type === PP2_TYPE_AUTHORITY) {
      if (len > PP2_AUTHORITY_MAX) return fail('badHeader');
      authority = Buffer.from(data.subarray(value, tlv));
    } else if (type === PP2_TYPE_UNIQUE_ID) {
      if (len > UNIQUEID_LEN) return fail('badHeader');
      uniqueId = Buffer.from(data.subarray(value, tlv));
    }
  }
  return { ok: true, header: { length: total, endpoints, authority, uniqueId } };
}

/** What a server line asks for (HAProxy's SRV_PP_* bits, by name). */
export interface SendProxy {
  /** 2 with `send-proxy-v2`; otherwise 1 (any PROXY option alone sends a v1 line, as HAProxy). */
  readonly version: 1 | 2;
  readonly crc32c: boolean;
  readonly authority: boolean;
  readonly uniqueId: boolean;
  /** `ssl` or any of cert-cn, cert-key, cert-sig, ssl-cipher: the SSL TLV. */
  readonly ssl: boolean;
}

/** `proxy-v2-options` words (server.c srv_parse_proxy_v2_options). */
export const PROXY_V2_OPTIONS = ['ssl', 'cert-cn', 'ssl-cipher', 'cert-sig', 'cert-key', 'authority', 'crc32c', 'unique-id'] as const;

/**
 * The server's PROXY protocol settings, as HAProxy's pp_opts: `send-proxy-v2` picks v2; any
 * other bit (`send-proxy`, or `proxy-v2-options` alone) sends a v1 line.
 */
export function sendProxyOf(o: Readonly<Record<string, Json>>): SendProxy | null {
  const list = Array.isArray(o['proxy-v2-options']) ? o['proxy-v2-options'].filter((w): w is string => typeof w === 'string') : [];
  const has = (w: (typeof PROXY_V2_OPTIONS)[number]): boolean => list.includes(w);
  const v2 = o['send-proxy-v2'] === true;
  if (!v2 && o['send-proxy'] !== true && list.length === 0) return null;
  return {
    version: v2 ? 2 : 1,
    crc32c: has('crc32c'),
    authority: has('authority'),
    uniqueId: has('unique-id'),
    ssl: ['ssl', 'cert-cn', 'cert-key', 'cert-sig', 'ssl-cipher'].some((w) => list.includes(w)),
  };
}

/** The client side of a session, for the header a server gets (from the client socket). */
export interface ClientSide {
  /** Both addresses' family ('IPv4', 'IPv6'); anything else (a unix@ client) has none. */
  readonly family: string | undefined;
  readonly src: string | undefined;
  readonly srcPort: number | undefined;
  readonly dst: string | undefined;
  readonly dstPort: number | undefined;
  /** The authority TLV the client's own PROXY header carried, if any. */
  readonly authority?: Buffer | null;
}

const inet = (c: ClientSide): boolean => (c.family === 'IPv4' || c.family === 'IPv6') && !!c.src && !!c.dst;

/** An address of either family as 16 bytes (HAProxy's v4tov6 maps IPv4 ones). */
function bytes16(addr: string): Buffer {
  const v4 = parseIpv4(addr);
  return v4 ? v4tov6(v4) : (parseIpv6(addr) ?? Buffer.alloc(16));
}

/**
 * The header for a new server connection (make_proxy_line). v1: TCP4 when both addresses are
 * IPv4, TCP6 otherwise (IPv4 ones mapped), UNKNOWN for other families (unix@ clients). v2:
 * PROXY over TCPv4/TCPv6 the same way, LOCAL for other families; then the TLVs in HAProxy's
 * order: CRC32C, AUTHORITY, UNIQUE_ID, SSL.
 *
 * Without TLS in Switchyard (no `ssl` bind or server is accepted yet), the SSL TLV always says
 * "not over SSL" (client 0, verify 0) and no ALPN TLV is sent, as haproxy does for a plain
 * connection; `unique-id` sends an empty id because `unique-id-format` is not accepted yet.
 */
export function buildProxyHeader(spec: SendProxy, c: ClientSide): Buffer {
  if (spec.version === 1) {
    if (!inet(c)) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
    const v4 = c.family === 'IPv4';
    const text = (a: string): string => (v4 ? a : formatIpv6(bytes16(a)));
    return Buffer.from(`PROXY ${v4 ? 'TCP4' : 'TCP6'} ${text(c.src!)} ${text(c.dst!)} ${c.srcPort ?? 0} ${c.dstPort ?? 0}\r\n`, 'latin1');
  }
  const parts: Buffer[] = [];
  const head = Buffer.alloc(PP2_HEADER_LEN);
  PP2_SIGNATURE.copy(head);
  parts.push(head);
  if (!inet(c)) {
    head[12] = 0x20; // v2, LOCAL
    head[13] = 0x00; // AF_UNSPEC, UNSPEC
  } else {
    head[12] = 0x21; // v2, PROXY
    const s4 = c.family === 'IPv4' ? parseIpv4(c.src!) : null;
    const d4 = c.family === 'IPv4' ? parseIpv4(c.dst!) : null;
    if (s4 && d4) {
      head[13] = 0x11;
      const a = Buffer.alloc(12);
      a.set(s4, 0);
      a.set(d4, 4);
      a.writeUInt16BE(c.srcPort ?? 0, 8);
      a.writeUInt16BE(c.dstPort ?? 0, 10);
      parts.push(a);
    } else {
      head[13] = 0x21;
      const a = Buffer.alloc(36);
      a.set(bytes16(c.src!), 0);
      a.set(bytes16(c.dst!), 16);
      a.writeUInt16BE(c.srcPort ?? 0, 32);
      a.writeUInt16BE(c.dstPort ?? 0, 34);
      parts.push(a);
    }
  }
  let crcAt = -1;
  if (spec.crc32c) {
    crcAt = parts.reduce((n, p) => n + p.length, 0) + 3;
    parts.push(tlv(PP2_TYPE_CRC32C, Buffer.alloc(4)));
  }
  if (spec.authority && c.authority) parts.push(tlv(PP2_TYPE_AUTHORITY, c.authority));
  if (spec.uniqueId) parts.push(tlv(PP2_TYPE_UNIQUE_ID, Buffer.alloc(0)));
  // pp2_tlv_ssl: client flags (none: not SSL), verify (0), no sub-TLVs.
  if (spec.ssl) parts.push(tlv(PP2_TYPE_SSL, Buffer.alloc(5)));
  const out = Buffer.concat(parts);
  out.writeUInt16BE(out.length - PP2_HEADER_LEN, 14);
  if (crcAt >= 0) out.writeUInt32BE(crc32c(out), crcAt);
  return out;
}

function tlv(type: number, value: Buffer): Buffer {
  const t = Buffer.alloc(3 + value.length);
  t[0] = type;
  t.writeUInt16BE(value.length, 1);
  value.copy(t, 3);
  return t;
}

/** ALPN is only negotiated over TLS: named here so the TLV order above stays documented. */
export const PP2_TLV_ORDER = [PP2_TYPE_CRC32C, PP2_TYPE_ALPN, PP2_TYPE_AUTHORITY, PP2_TYPE_UNIQUE_ID, PP2_TYPE_SSL] as const;

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32C (Castagnoli), as the v2 CRC32C TLV carries it. */
export function crc32c(data: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
