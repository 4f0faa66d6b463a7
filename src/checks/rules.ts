// A check's rules compiled to closures, once per backend: connect, send and expect steps the
// check session (./session.ts) walks. Expect rules carry HAProxy 2.6's matching semantics and
// failure texts (tcpcheck.c): when to wait for more bytes (min-recv, pattern length), the
// generic "TCPCHK did not match content ..." info of `option tcp-check`, and the HTTP ones.

import type { CheckStatus } from './status.js';
import { readHttpResponse, CHECK_BUFFER } from './http-response.js';
import { statusRanges, type ExpectSpec, type HdrMatch } from './spec.js';

export type Eval = 'continue' | 'wait' | 'stop';

/** What a rule sees of the check in progress. */
export interface RunView {
  /** Bytes received since the last connect or send. */
  readonly input: Buffer;
  /** `option tcp-check` (not a protocol check): generic infos and "(tcp-check)". */
  readonly tcpProto: boolean;
  /** The method of the last HTTP request sent (HEAD responses have no body). */
  readonly method: string;
  /** HAProxy's check->code (HTTP status, MySQL error, agent 0 ...). */
  code: number | null;
  /** End the check with a status and its info text. */
  finish(status: CheckStatus, info: string): void;
  /** disable-on-404 applies (HTTP check, server not DOWN). */
  readonly accept404: boolean;
}

export interface ConnectRule {
  readonly kind: 'connect';
  readonly index: number;
  readonly implicit: boolean;
  readonly port: number | null;
  readonly addr: string | null;
  readonly addrPort: number | null;
  readonly linger: boolean;
  /** `send-proxy`: a PROXY header first, whatever the server's check settings. */
  readonly sendProxy: boolean;
  /**
   * The server's own check settings apply (HAProxy's TCPCHK_OPT_DEFAULT_CONNECT: the implicit
   * connect, or `connect default`): `check-send-proxy`, or the server's `send-proxy`.
   */
  readonly serverDefaults: boolean;
  readonly comment: string | null;
}

export interface SendRule {
  readonly kind: 'send';
  readonly index: number;
  readonly comment: string | null;
  /** HTTP requests record their method for the response parser. */
  readonly method: string | null;
  /** Sends nothing (an empty `agent-send` or `tcp-check send ""`): the server may speak first. */
  readonly empty?: true;
  build(): Buffer;
}

export interface ExpectRule {
  readonly kind: 'expect';
  readonly index: number;
  readonly comment: string | null;
  readonly okStatus: CheckStatus | null;
  readonly toutStatus: CheckStatus | null;
  readonly errStatus: CheckStatus | null;
  /** " (expect string 'x')" in connection-error infos of `option tcp-check`. */
  readonly label: string;
  /** The info of a check that ends on this rule successfully. */
  successInfo(run: RunView): string;
  evaluate(run: RunView, lastRead: boolean): Eval;
}

export type Rule = ConnectRule | SendRule | ExpectRule;

/** tcpcheck_get_step_id: the implicit first connect is step 0, others their index + 1. */
export function stepOf(rule: Rule): number {
  return rule.kind === 'connect' && rule.implicit ? 0 : rule.index + 1;
}

/** HAProxy's dump_binary: each byte as two uppercase hex digits. */
const hexDump = (b: Buffer): string => b.toString('hex').toUpperCase();

function regex(source: string): RegExp {
  return new RegExp(source);
}

/** tcpcheck_expect_onerror_message: info, else on-error, else the generic text (tcp-check only). */
function errorInfo(spec: ExpectSpec, run: RunView, step: number, matched: boolean, desc: string): string {
  let msg = '';
  if (desc !== '') msg = desc;
  else if (spec.onError !== null) msg = spec.onError;
  else if (run.tcpProto) {
    msg = matched ? 'TCPCHK matched unwanted content' : 'TCPCHK did not match content';
    switch (spec.type) {
      case 'status':
        msg += `(status codes) at step ${step}`;
        break;
      case 'string':
      case 'body':
        msg += ` '${spec.pattern}' at step ${step}`;
        break;
      case 'binary':
        msg += ` (binary) at step ${step}`;
        break;
      case 'rstring':
      case 'rstatus':
      case 'rbody':
        msg += ` (regex) at step ${step}`;
        break;
      case 'rbinary':
        msg += ` (binary regex) at step ${step}`;
        break;
      case 'hdr':
        msg += ` (header pattern) at step ${step}`;
        break;
    }
  }
  if (spec.comment !== null) msg += ` comment: ${spec.comment}`;
  return msg;
}

function label(spec: ExpectSpec): string {
  switch (spec.type) {
    case 'string':
      return ` (expect string '${spec.pattern}')`;
    case 'binary':
      return ` (expect binary '${spec.pattern}')`;
    case 'rstring':
      return ' (expect regex)';
    case 'rbinary':
      return ' (expect binary regex)';
    case 'status':
      return ' (expect HTTP status codes)';
    case 'rstatus':
      return ' (expect HTTP status regex)';
    case 'hdr':
      return ' (expect HTTP header pattern)';
    case 'body':
      return ` (expect HTTP body content '${spec.pattern}')`;
    case 'rbody':
      return ' (expect HTTP body regex)';
  }
}

/** tcpcheck_expect_onsuccess_message: on-success, else "(tcp-check)" for `option tcp-check`. */
function successInfo(spec: ExpectSpec): (run: RunView) => string {
  return (run) => spec.onSuccess ?? (run.tcpProto ? '(tcp-check)' : '');
}

function tcpMatcher(spec: ExpectSpec): (input: Buffer) => boolean {
  switch (spec.type) {
    case 'string':
    case 'binary': {
      const needle = Buffer.from(spec.pattern, 'latin1');
      return (input) => input.indexOf(needle) >= 0;
    }
    case 'rstring': {
      const re = regex(spec.pattern);
      return (input) => re.test(input.toString('latin1', 0, Math.min(input.length, CHECK_BUFFER - 1)));
    }
    default: {
      const re = regex(spec.pattern);
      return (input) => re.test(hexDump(input));
    }
  }
}

/** What every expect rule built from a spec shares: statuses, labels, success info. */
function expectBase(spec: ExpectSpec, index: number): Omit<ExpectRule, 'evaluate'> {
  return {
    kind: 'expect',
    index,
    comment: spec.comment,
    okStatus: (spec.okStatus as CheckStatus | null) ?? null,
    toutStatus: (spec.toutStatus as CheckStatus | null) ?? null,
    errStatus: (spec.errorStatus as CheckStatus | null) ?? null,
    label: label(spec),
    successInfo: successInfo(spec),
  };
}

/** tcpcheck_eval_expect: string/binary/regex over the bytes received since the last send. */
export function tcpExpect(spec: ExpectSpec, index: number): ExpectRule {
  const match = tcpMatcher(spec);
  const needLen = spec.type === 'string' || spec.type === 'binary' ? Buffer.byteLength(spec.pattern, 'latin1') : 0;
  const rule: ExpectRule = {
    ...expectBase(spec, index),
    evaluate(run, last) {
      const input = run.input;
      const lastRead = last || input.length >= CHECK_BUFFER;
      if (!lastRead) {
        if (input.length < needLen) return 'wait';
        if (spec.minRecv > 0 && input.length < spec.minRecv) return 'wait';
      }
      const m = match(input);
      if (!m && !lastRead && spec.minRecv === -1) return 'wait';
      if (m !== spec.inverse) return 'continue';
      run.finish(rule.errStatus ?? 'L7RSP', errorInfo(spec, run, index + 1, m, ''));
      return 'stop';
    },
  };
  return rule;
}

function hdrTest(match: HdrMatch, pattern: string, flags: string): (s: string) => boolean {
  switch (match) {
    case 'str':
      return flags === 'i' ? (s) => s.toLowerCase() === pattern.toLowerCase() : (s) => s === pattern;
    case 'beg':
      return flags === 'i' ? (s) => s.toLowerCase().startsWith(pattern.toLowerCase()) : (s) => s.startsWith(pattern);
    case 'end':
      return flags === 'i' ? (s) => s.toLowerCase().endsWith(pattern.toLowerCase()) : (s) => s.endsWith(pattern);
    case 'sub':
      return flags === 'i' ? (s) => s.toLowerCase().includes(pattern.toLowerCase()) : (s) => s.includes(pattern);
    case 'reg': {
      const re = new RegExp(pattern, flags);
      return (s) => re.test(s);
    }
  }
}

/** Header values as HAProxy's header lookup sees them: split on commas unless `fhdr`. */
function values(v: string, full: boolean): string[] {
  if (full) return [v];
  return v.split(',').map((x) => x.trim());
}

/** tcpcheck_eval_expect_http: status, status regex, header and body matches. */
export function httpExpect(spec: ExpectSpec, index: number): ExpectRule {
  const codes = spec.type === 'status' ? statusRanges(spec.pattern) : [];
  const re = spec.type === 'rstatus' || spec.type === 'rbody' ? regex(spec.pattern) : null;
  const needle = spec.type === 'body' ? Buffer.from(spec.pattern, 'latin1') : null;
  const h = spec.hdr;
  // Header names compare case-insensitively; values as written.
  const nameTest = h ? hdrTest(h.nameMatch, h.name, 'i') : null;
  const valueTest = h && h.value !== null ? hdrTest(h.valueMatch, h.value, '') : null;
  const rule: ExpectRule = {
    ...expectBase(spec, index),
    evaluate(run, last) {
      const res = readHttpResponse(run.input, run.method);
      const fail = (status: CheckStatus, desc: string, matched = false): Eval => {
        run.finish(status, errorInfo(spec, run, index + 1, matched, desc));
        return 'stop';
      };
      if (res.state === 'error') return fail('L7RSP', '');
      if (res.state === 'incomplete') return last ? fail('L7RSP', '') : 'wait';
      const lastRead = last || res.complete;
      const head = res.head;
      run.code = head.status;
      if (run.accept404 && head.status === 404) return 'continue';
      let match = false;
      let status: CheckStatus = rule.errStatus ?? 'L7STS';
      let desc = spec.onError === null ? head.reason : '';
      switch (spec.type) {
        case 'status':
          match = codes.some(([lo, hi]) => head.status >= lo && head.status <= hi);
          break;
        case 'rstatus':
          match = re!.test(String(head.status));
          break;
        case 'hdr':
          for (let i = 0; i < head.headers.count && !match; i++) {
            if (!nameTest!(head.headers.name(i))) continue;
            if (!valueTest) match = true;
            else match = values(head.headers.value(i), h!.full).some(valueTest);
          }
          break;
        default: {
          const body = res.body;
          status = rule.errStatus ?? 'L7RSP';
          if (body.length === 0) {
            if (!lastRead) return 'wait';
            return fail(status, spec.onError === null ? 'HTTP content check could not find a response body' : '');
          }
          if (!lastRead && ((needle && body.length < needle.length) || (spec.minRecv > 0 && body.length < spec.minRecv))) return 'wait';
          match = needle ? body.indexOf(needle) >= 0 : re!.test(body.toString('latin1'));
          if (!match && !lastRead && spec.minRecv === -1) return 'wait';
          desc = spec.onError !== null ? '' : spec.inverse ? 'HTTP check matched unwanted content' : 'HTTP content check did not match';
        }
      }
      if (match !== spec.inverse) return 'continue';
      return fail(status, desc, match);
    },
  };
  return rule;
}
