// The protocol checks HAProxy 2.6 builds as fixed tcp-check rulesets (tcpcheck.c
// proxy_parse_*_opt): redis-check, ssl-hello-chk, smtpchk, pgsql-check, mysql-check and
// ldap-check — the same bytes on the wire and the same statuses and infos back. Where
// 2.6.12 carries later fixes (pgsql's SCRAM-aware regex, smtpchk's multi-line EHLO reply and
// QUIT), the rules follow 2.6.12's behaviour.

import type { CheckStatus } from './status.js';
import type { ConnectRule, ExpectRule, Rule, RunView, SendRule } from './rules.js';
import { tcpExpect } from './rules.js';
import { expectSpec, type ExpectSpec } from './spec.js';
import type { Json } from '../config/model.js';

// HAProxy's `tcp-check connect default linger` (smtpchk, pgsql-check, mysql-check): the
// server's check settings (its PROXY header) apply.
const connect = (index: number, linger: boolean): ConnectRule => ({
  kind: 'connect',
  index,
  implicit: false,
  port: null,
  addr: null,
  addrPort: null,
  linger,
  sendProxy: false,
  serverDefaults: true,
  comment: null,
});

const send = (index: number, build: () => Buffer): SendRule => ({ kind: 'send', index, comment: null, method: null, build });

function expect(index: number, spec: Partial<ExpectSpec> & Pick<ExpectSpec, 'type' | 'pattern'>): ExpectRule {
  return tcpExpect(expectSpec(spec), index);
}

/** An expect rule with its own evaluation (HAProxy's `expect custom`). */
function custom(index: number, successInfo: (run: RunView) => string, evaluate: ExpectRule['evaluate']): ExpectRule {
  return { kind: 'expect', index, comment: null, okStatus: null, toutStatus: null, errStatus: null, label: ' (expect custom function)', successInfo, evaluate };
}

/** An expect whose failure info is computed from the response (HAProxy's on-error log-format). */
function withInfos(rule: ExpectRule, onError: (b: Buffer) => string, onSuccess?: (b: Buffer) => string, code?: (b: Buffer) => number | null): ExpectRule {
  return {
    ...rule,
    successInfo: (run) => {
      if (code) run.code = code(run.input);
      return onSuccess ? onSuccess(run.input) : rule.successInfo(run);
    },
    evaluate(run, last) {
      let info: { status: CheckStatus; text: string } | undefined;
      const r = rule.evaluate({ ...viewOf(run), finish: (status) => (info = { status, text: '' }) }, last);
      if (r === 'stop' && info) {
        if (code) run.code = code(run.input);
        run.finish(info.status, onError(run.input));
      }
      return r;
    },
  };
}

function viewOf(run: RunView): RunView {
  return {
    get input() {
      return run.input;
    },
    tcpProto: run.tcpProto,
    method: run.method,
    get code() {
      return run.code;
    },
    set code(v) {
      run.code = v;
    },
    finish: run.finish,
    accept404: run.accept404,
  };
}

/** `res.payload(off,0)` as text, cut at the first CR or LF (`cut_crlf`), optionally `ltrim(' ')`. */
const payloadLine = (off: number, ltrim = false): ((b: Buffer) => string) => (b) => {
  let s = b.toString('latin1', Math.min(off, b.length));
  if (ltrim) s = s.replace(/^ +/, '');
  const end = s.search(/[\r\n]/);
  return end < 0 ? s : s.slice(0, end);
};

/** The 3-digit reply code at the start of an SMTP line (`status-code res.payload(0,3)`). */
const smtpCode = (b: Buffer): number | null => {
  const n = parseInt(b.toString('latin1', 0, 3), 10);
  return Number.isNaN(n) ? null : n;
};

export function redisRules(): Rule[] {
  return [
    send(0, () => Buffer.from('*1\r\n$4\r\nPING\r\n', 'latin1')),
    withInfos(expect(1, { type: 'string', pattern: '+PONG\r\n', errorStatus: 'L7STS' }), payloadLine(0), () => 'Redis server is ok'),
  ];
}

/** The SSLv3 CLIENT HELLO of ssl-hello-chk: a time stamp, then "HAPROXYSSLCHK\nHAPROXYSSLCHK\n". */
function sslHello(): Buffer {
  const ciphers = [];
  for (let c = 0x01; c <= 0x1b; c++) ciphers.push(c);
  for (let c = 0x2f; c <= 0x3a; c++) ciphers.push(c);
  const head = Buffer.from('16030000790100007503 00'.replace(/ /g, ''), 'hex');
  const time = Buffer.alloc(4);
  time.writeUInt32BE(Math.floor(Date.now() / 1000) >>> 0);
  const random = Buffer.from('HAPROXYSSLCHK\nHAPROXYSSLCHK\n', 'latin1');
  const suites = Buffer.alloc(2 + ciphers.length * 2);
  suites.writeUInt16BE(ciphers.length * 2, 0);
  ciphers.forEach((c, i) => suites.writeUInt16BE(c, 2 + i * 2));
  return Buffer.concat([head.subarray(0, 11), time, random, Buffer.from([0]), suites, Buffer.from([1, 0])]);
}

export function sslHelloRules(): Rule[] {
  return [
    send(0, sslHello),
    expect(1, { type: 'rbinary', pattern: '^1[56]', minRecv: 5, okStatus: 'L6OK', errorStatus: 'L6RSP', toutStatus: 'L6TOUT' }),
  ];
}

export function smtpRules(params: Json): Rule[] {
  const args = Array.isArray(params) ? params.map(String) : [];
  const cmd = args[0] !== undefined && args[1] !== undefined && (args[0] === 'EHLO' || args[0] === 'HELO') ? `${args[0]} ${args[1]}` : 'HELO localhost';
  return [
    connect(0, true),
    withInfos(expect(1, { type: 'rstring', pattern: '^[0-9]{3}[ \r]', minRecv: 4, errorStatus: 'L7RSP' }), payloadLine(0)),
    withInfos(expect(2, { type: 'rstring', pattern: '^2[0-9]{2}[ \r]', minRecv: 4, errorStatus: 'L7STS' }), payloadLine(4, true), undefined, smtpCode),
    send(3, () => Buffer.from(`${cmd}\r\n`, 'latin1')),
    withInfos(expect(4, { type: 'rstring', pattern: '^(2[0-9]{2}-[^\r]*\r\n)*2[0-9]{2}[ \r]', errorStatus: 'L7STS' }), payloadLine(4, true), payloadLine(4, true), smtpCode),
    // A QUIT for a clean disconnect (HAProxy issue 1812, in 2.6.12).
    send(5, () => Buffer.from('QUIT\r\n', 'latin1')),
    withInfos(expect(6, { type: 'rstring', pattern: '^2[0-9]{2}[- \r]', minRecv: 4, errorStatus: 'L7STS' }), payloadLine(4, true), payloadLine(4, true), smtpCode),
  ];
}

export function pgsqlRules(params: Json): Rule[] {
  const user = typeof params === 'object' && params !== null && !Array.isArray(params) ? String(params['user'] ?? '') : '';
  const startup = (): Buffer => {
    const body = Buffer.concat([Buffer.from('00030000', 'hex'), Buffer.from('user\0', 'latin1'), Buffer.from(`${user}\0`, 'latin1'), Buffer.from([0])]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(15 + Buffer.byteLength(user, 'latin1'));
    return Buffer.concat([len, body]);
  };
  return [
    connect(0, true),
    send(1, startup),
    // An 'E' (ErrorResponse): its fields from offset 6, up to the first NUL as HAProxy keeps it.
    withInfos(expect(2, { type: 'rstring', pattern: '^E', inverse: true, minRecv: 5, errorStatus: 'L7RSP' }), (b) => cstrOf(b, 6)),
    withInfos(
      expect(3, { type: 'rbinary', pattern: '^52000000[A-Z0-9]{2}000000(00|02|03|04|05|06|07|09|0A)', minRecv: 9, errorStatus: 'L7STS' }),
      () => 'PostgreSQL unknown error',
      () => 'PostgreSQL server is ok',
    ),
  ];
}

const cstrOf = (b: Buffer, off: number): string => {
  const s = b.toString('latin1', Math.min(off, b.length));
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
};

/** MySQL client authentication (4.1 or pre-4.1 layout) for `user`, followed by COM_QUIT. */
function mysqlAuth(user: string, pre41: boolean): Buffer {
  const name = Buffer.from(`${user}\0`, 'latin1');
  const body = pre41
    ? Buffer.concat([Buffer.from('0080000001', 'hex'), name, Buffer.from([0])])
    : Buffer.concat([Buffer.from('0082000000800001' + '21', 'hex'), Buffer.alloc(23), name, Buffer.from([0])]);
  const len = Buffer.byteLength(user, 'latin1') + 7 + (pre41 ? 0 : 27);
  const header = Buffer.from([len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, 1]);
  return Buffer.concat([header, body, Buffer.from('01000000' + '01', 'hex')]);
}

/**
 * tcpcheck_mysql_expect_packet: one whole packet at `offset`; an error packet (0xff) fails with
 * its code and message; the last rule succeeds with the server version from the handshake.
 */
function mysqlPacket(index: number, offsetOf: (b: Buffer) => number): ExpectRule {
  return custom(
    index,
    (run) => cstrOf(run.input, 5),
    (run, lastRead) => {
      const b = run.input;
      const off = offsetOf(b);
      if (b.length < off + 4) return lastRead ? (run.finish('L7RSP', ''), 'stop') : 'wait';
      const plen = b[off]! + (b[off + 1]! << 8) + (b[off + 2]! << 16);
      if (b.length < off + plen + 4) return lastRead ? (run.finish('L7RSP', ''), 'stop') : 'wait';
      if (b[off + 4] === 0xff) {
        run.code = b[off + 5]! + (b[off + 6]! << 8);
        run.finish('L7STS', cstrOf(b, off + 7));
        return 'stop';
      }
      return 'continue';
    },
  );
}

export function mysqlRules(params: Json): Rule[] {
  const p = typeof params === 'object' && params !== null && !Array.isArray(params) ? params : {};
  const user = typeof p['user'] === 'string' ? p['user'] : null;
  const rules: Rule[] = [connect(0, true)];
  if (user !== null) rules.push(send(1, () => mysqlAuth(user, p['variant'] === 'pre-41')));
  const handshake = (b: Buffer): number => 4 + b[0]! + (b[1]! << 8) + (b[2]! << 16);
  rules.push(mysqlPacket(rules.length, () => 0));
  if (user !== null) rules.push(mysqlPacket(rules.length, (b) => (b.length >= 3 ? handshake(b) : 0)));
  return rules;
}

/** tcpcheck_ldap_expect_bindrsp: an LDAPv3 BindResponse whose resultCode is 0. */
function ldapBindResponse(index: number): ExpectRule {
  const notLdap = 'Not LDAPv3 protocol';
  return custom(
    index,
    () => 'Success',
    (run, lastRead) => {
      const b = run.input;
      let p = 1;
      let nbytes = 0;
      let msglen: number;
      const short = (): Eval2 => (lastRead ? (run.finish('L7RSP', ''), 'stop') : 'wait');
      if (b.length < 2) return short();
      if (b[p]! & 0x80) {
        nbytes = b[p]! & 0x7f;
        if (b.length < 1 + nbytes) return short();
        if (nbytes === 4) msglen = b.readUInt32BE(p + 1);
        else if (nbytes === 2) msglen = b.readUInt16BE(p + 1);
        else return run.finish('L7RSP', notLdap), 'stop';
      } else msglen = b[p]!;
      p += 1 + nbytes;
      if (b.length < 2 + nbytes + msglen) return short();
      if (b.toString('hex', p, p + 4) !== '02010161') return run.finish('L7RSP', notLdap), 'stop';
      p += 4;
      p += 1 + (b[p]! & 0x80 ? b[p]! & 0x7f : 0);
      if (b.toString('hex', p, p + 2) !== '0a01') return run.finish('L7RSP', notLdap), 'stop';
      p += 2;
      run.code = b[p] ?? 0;
      if (run.code !== 0) {
        run.finish('L7STS', 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9');
        return 'stop';
      }
      return 'continue';
    },
  );
}

type Eval2 = 'wait' | 'stop';

export function ldapRules(): Rule[] {
  return [
    send(0, () => Buffer.from('300C020101600702010304008000', 'hex')),
    withInfos(expect(1, { type: 'rbinary', pattern: '^30', minRecv: 14 }), () => 'Not LDAPv3 protocol'),
    ldapBindResponse(2),
  ];
}
