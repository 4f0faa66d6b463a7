// Conditional expressions: `switchyard -cc 'EXPR'` and the `.if` / `.elif` directives.
//
// A port of HAProxy 2.6.12's cfgcond.c (plus the helpers it relies on: make_arg_list() for
// predicate arguments, split_version()/compare_current_version() and openssl_version_parser()),
// checked against the real /usr/sbin/haproxy 2.6.12-1+deb12u4 with `haproxy -cc` and
// `haproxy -c -f`. Every behaviour below was observed on that binary; test/condition.test.ts
// holds the table and replays it through the binary when it is installed.
//
// ─── Exact output formats observed ──────────────────────────────────────────────────────────
//
// -cc (exit status 0 = true, 1 = false, 2 = error; messages on stderr):
//
//   [NOTICE]   (PID) : haproxy version is 2.6.12-1+deb12u4
//   [NOTICE]   (PID) : path to executable is /usr/sbin/haproxy
//   [ALERT]    (PID) : config : Failed to evaluate condition: <error>
//
//   (the two NOTICE lines are HAProxy's usual "first alert of the process" preamble, and the
//   whole lot is silenced by -q). When <error> is '' (see below) HAProxy prints NOTHING and
//   still exits 2. Tokenizer failures of the -cc string print instead, also with exit 2:
//     "[ALERT]    (PID) : config : Syntax Error in condition: Unmatched quote."
//     "[ALERT]    (PID) : config : Syntax Error in condition: Truncated or invalid hexadecimal sequence."
//     "[ALERT]    (PID) : config : Error in condition: Line too long."
//     "[ALERT]    (PID) : config : Error in condition: Too many words."      (> 64 words,
//                                            counting the empty word of a trailing blank)
//   -cc takes exactly ONE argv string, which HAProxy tokenizes like a config line (quotes,
//   backslash escapes, "$VAR"/"${VAR}" only inside double quotes) EXCEPT that '#' is not a
//   comment; the resulting words are then handed to the evaluator (= evalCondition(words)).
//   `haproxy -cc 1 0` is a usage error (exit 1); `haproxy -cc` alone prints usage (exit 1).
//
// .if / .elif in a configuration file (note: no space before the colon after the ']'):
//
//   [ALERT]    (PID) : config : parsing [FILE:LINE]: <error> in '.if' at position <N>:
//     .if <sanitized expression>
//         ^
//   [ALERT]    (PID) : config : Error(s) found in configuration file : FILE
//
//   i.e. C format "parsing [%s:%d]: %s in '.if' at position %d:\n  .if %s\n  %*s\n" where the
//   expression is sanitize_for_printing(expr, pos, 76) and the caret is printed with width
//   newpos+5; '.elif' uses width 74 and caret width newpos+7 ("  .elif %s"). <N> is the 1-based
//   byte offset of the error in the joined expression. conditionErrorReport() below builds the
//   message and the two detail lines exactly. Parsing of the file stops at such an error
//   (ERR_ABORT). A condition in a block that is not evaluated (inside a dropped block, or an
//   .elif after a taken branch) is not parsed at all, so it cannot fail.
//
// ─── Grammar (as implemented by 2.6.12) ─────────────────────────────────────────────────────
//
//   The words of the line (everything after .if/.elif, or the -cc words) are re-joined with ONE
//   space each, including empty words ('.if "" 1' is " 1", true) and including the empty last
//   word HAProxy's tokenizer produces when a line ends with blanks (before EOL or '#'): for
//   `.if foo(1)   # c` HAProxy evaluates "foo(1) " and says 'foo(1) '. A '\r' ends the line
//   without adding that word. NUL bytes inside words also become spaces.
//   The joined text empty → false. Otherwise:
//     expr := and ( '||' and )*          — '||' binds looser than '&&'
//     and  := term ( '&&' term )*
//     term := '!'* ( number | '(' expr ')' | predicate )      — blanks = ' ' and '\t' only
//     number: C strtol(s, &end, 0): "-1", "+1", "0x10", "010" true; "0", "-0", "0x0" false;
//             "09" → '0' then junk '9'; "0x" → '0' then junk 'x'; overflow clamps (still true)
//     predicate: NAME immediately followed by '(' args ')' — or by nothing at all, which means
//             one empty argument: `defined` = defined(""). "defined (X)" = defined("") + junk.
//   Predicate args (make_arg_list): split on ',' and ended by ')' outside quotes; '…' and "…"
//   group (and are removed); outside '…', backslash escapes \\ \  \" \' and \r \n \t, any other
//   \c is kept as is; blanks are kept verbatim ("a b" stays "a b"). Each arg is limited to
//   16383 bytes (the trash buffer of tune.bufsize=16384).
//   Parsing happens entirely before evaluation, so `0 && foo()` is still an error; evaluation
//   then short-circuits, so `0 && openssl_version_atleast(bad)` is false (no eval error).
//   Recursion is bounded like HAProxy (MAX_CFG_RECURSION = 1024 levels: each '(' costs 3 and each
//   '&&' / '||' costs 1, so 340 nested parens or 1021 chained '&&' parse, 341 / 1022 do not).
//
// ─── Predicates of 2.6.12 (anything else, e.g. enabled(), is "unparsable") ────────────────
//   defined(name)                  environment variable exists (empty name → false). Note that
//                                  HAProxy has already set HAPROXY_STARTUP_VERSION and
//                                  HAPROXY_LOCALPEER when -cc or the config is evaluated.
//   feature(name)                  "+name" in the -vv Feature list (HAProxy's strstr() scan)
//   streq(a,b) / strneq(a,b)       byte comparison (2 args; 1 arg → "missing arguments")
//   version_atleast(v) / version_before(v)          vs our claimed HAProxy version
//   openssl_version_atleast(v) / openssl_version_before(v)   vs OPENSSL_VERSION_NUMBER
//   ssllib_name_startswith(s)      OpenSSL_version(OPENSSL_VERSION) starts with s
//   All take at most their documented number of args; extra args fail with
//   "expected ')' before ',x)' in argument 1 of predicate '…' used in conditional expression".
//
// ─── Quirks reproduced on purpose ───────────────────────────────────────────────────────────
//   * version_atleast()/version_before() with an unparsable version (e.g. 'x', '') do not fail:
//     compare_current_version() returns -3, so atleast → TRUE and before → FALSE.
//   * "2.6.12-1" is NEWER than 2.6.12 (the trailing number after '-' is a commit count), and the
//     Debian suffix of "2.6.12-1+deb12u4" is ignored: it splits to the same as "2.6.12".
//   * openssl_version_*: the argument must be "M.m.f[letters|-betaN|-anything]"; "3.0" or "3"
//     do not parse. A parse failure (or no TLS) makes the evaluation fail WITHOUT any message:
//     -cc exits 2 silently and a config file makes HAProxy 2.6.12 crash (SIGSEGV, errptr NULL).
//     We return { ok: false, error: '' } then. The comparison uses HAProxy's 1.x-style
//     encoding (fix<<12 | status 0xf) against OpenSSL 3's OPENSSL_VERSION_NUMBER (patch<<4), so
//     with OpenSSL 3.0.22, openssl_version_atleast(3.0.1) is FALSE and atleast(9.0.0) is TRUE
//     (the value is compared as a signed int). Kept as is.
//   * feature("") and a bare `feature` are TRUE on the 2.6.12 build (HAProxy's strstr loop walks
//     past the end of the feature string with an empty needle); matched.
//   * Error texts quote the remaining text from where the parser gave up, e.g. '1 && 1 &&' fails
//     with "unparsable conditional expression '&& 1 &&'" but '0 || 0 ||' quotes the whole line.

import { Buffer } from 'node:buffer';

export interface CondEnv {
  getenv(name: string): string | undefined;
  /** Names listed with '+' in our -vv Feature list. */
  readonly features: ReadonlySet<string>;
  /** HAProxy version we claim, e.g. '2.6.12'. */
  readonly version: string;
  /** e.g. '3.0.13' (node's process.versions.openssl); undefined if no TLS. */
  readonly opensslVersion?: string;
  /**
   * Optional: the exact -vv feature string ("+EPOLL -KQUEUE ..."), for a byte-exact feature()
   * scan. Without it, the string is rebuilt as '+A +B ...' from `features` (same answers for
   * every single-word name).
   */
  readonly featureList?: string;
  /**
   * Optional: what OpenSSL_version(OPENSSL_VERSION) would print, e.g. 'OpenSSL 3.0.13 30 Jan
   * 2024', for ssllib_name_startswith(). Defaults to 'OpenSSL ' + opensslVersion.
   */
  readonly sslLibrary?: string;
}

export type CondResult =
  | { ok: true; value: boolean }
  | {
      ok: false;
      /** HAProxy's message; '' when HAProxy itself has none (see the header comment). */
      error: string;
      /** 1-based byte position HAProxy reports ("at position N"); 0 when it has none. */
      position?: number;
      /** The joined expression that was evaluated (needed by conditionErrorReport()). */
      expr?: string;
    };

/** MAX_CFG_RECURSION in HAProxy 2.6 (include/haproxy/defaults.h). */
export const MAX_CFG_RECURSION = 1024;
/** Default tune.bufsize: make_arg_list() decodes each argument into a trash buffer this big. */
const TRASH_SIZE = 16384;

type PredKind =
  | 'defined'
  | 'feature'
  | 'streq'
  | 'strneq'
  | 'version_atleast'
  | 'version_before'
  | 'openssl_version_atleast'
  | 'openssl_version_before'
  | 'ssllib_name_startswith';

/** cond_predicates[] of 2.6.12, in lookup order; every argument is a string, all mandatory. */
const PREDICATES: ReadonlyMap<string, number> = new Map<PredKind, number>([
  ['defined', 1],
  ['feature', 1],
  ['streq', 2],
  ['strneq', 2],
  ['version_atleast', 1],
  ['version_before', 1],
  ['openssl_version_atleast', 1],
  ['openssl_version_before', 1],
  ['ssllib_name_startswith', 1],
]);
const LONGEST_PREDICATE = 23;

/** The names of the predicates HAProxy 2.6.12 knows, for help texts and tests. */
export const CONDITION_PREDICATES: readonly string[] = [...PREDICATES.keys()];

// ─── Byte strings ───────────────────────────────────────────────────────────────────────────
// HAProxy works on bytes: lengths (the 16383-byte argument limit), '%c' and the sanitizer all
// count bytes. We parse a "binary string" holding one UTF-8 byte per UTF-16 unit and convert
// messages back at the end.

const toBytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const fromBytes = (b: string): string => Buffer.from(b, 'latin1').toString('utf8');

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
/** C isspace() in the C locale. */
const isCSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/** glibc strtol(): returns the value (as C's long) and the end index (= start if no digits). */
function strtol(s: string, start: number, base: 0 | 10): { value: bigint; end: number } {
  let p = start;
  while (isCSpace(s[p])) p++;
  let neg = false;
  if (s[p] === '+' || s[p] === '-') {
    neg = s[p] === '-';
    p++;
  }
  let radix = 10;
  if (base === 0) {
    if (s[p] === '0' && (s[p + 1] === 'x' || s[p + 1] === 'X') && digitValue(s[p + 2], 16) >= 0) {
      radix = 16;
      p += 2;
    } else if (s[p] === '0') {
      radix = 8;
    }
  }
  const first = p;
  let mag = 0n;
  const big = BigInt(radix);
  for (let d = digitValue(s[p], radix); d >= 0; d = digitValue(s[p], radix)) {
    if (mag <= LONG_MAX) mag = mag * big + BigInt(d); // stop growing once it overflowed
    p++;
  }
  if (p === first) return { value: 0n, end: start };
  let value = neg ? -mag : mag;
  if (value > LONG_MAX) value = LONG_MAX;
  if (value < LONG_MIN) value = LONG_MIN;
  return { value, end: p };
}

function digitValue(c: string | undefined, radix: number): number {
  if (c === undefined) return -1;
  const code = c.charCodeAt(0);
  let d = -1;
  if (code >= 48 && code <= 57) d = code - 48;
  else if (code >= 97 && code <= 122) d = code - 87;
  else if (code >= 65 && code <= 90) d = code - 55;
  return d >= 0 && d < radix ? d : -1;
}

/** C conversion of a long to unsigned int. */
const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));

// ─── Versions ───────────────────────────────────────────────────────────────────────────────

/**
 * HAProxy's split_version(): [a, b, c, d, tag (1=dev, 2=rc/pre, 3=release), tag number, commit].
 * Missing components are 0. Returns undefined where HAProxy returns "not parsable".
 * '2.4-dev19' → [2,4,0,0,1,19,0]; '2.6.12-1+deb12u4' → [2,6,12,0,3,0,0]; '2.6.12-1' → […,1].
 */
export function splitVersion(version: string): number[] | undefined {
  const s = toBytes(version);
  const value = [0, 0, 0, 0, 3, 0, 0];
  if (s.length === 0) return undefined;
  let p = 0;
  let tagged = false;
  for (let i = 0; i < 4; i++) {
    const r = strtol(s, p, 10);
    value[i] = u32(r.value);
    p = r.end + 1;
    const c = s[r.end];
    if (c === undefined) return value;
    if (c === '-') {
      tagged = true;
      break;
    }
    if (c !== '.' || i === 3) return undefined;
  }
  if (!tagged) return undefined; // not reached: the loop either returns or breaks
  // split_version_tag:
  let commit = s[p] !== undefined && s[p]! >= '0' && s[p]! <= '9';
  if (!commit) {
    if (s.startsWith('dev', p)) {
      value[4] = 1;
      p += 3;
    } else if (s.startsWith('rc', p)) {
      value[4] = 2;
      p += 2;
    } else if (s.startsWith('pre', p)) {
      value[4] = 2;
      p += 3;
    } else {
      commit = true;
    }
    if (!commit) {
      const r = strtol(s, p, 10);
      value[5] = u32(r.value);
      p = r.end + 1;
      const c = s[r.end];
      if (c === undefined) return value;
      if (c !== '-') return undefined;
    }
  }
  // split_version_commit: the number after the last '-', or the whole rest; 0 if not numeric
  const rest = p <= s.length ? s.slice(p) : '';
  const dash = rest.lastIndexOf('-');
  let num = rest;
  if (dash >= 0) {
    num = rest.slice(dash + 1);
    if (num === '') return undefined;
  }
  const r = strtol(num, 0, 10);
  value[6] = r.end === num.length ? u32(r.value) : 0;
  return value;
}

/**
 * Compares two HAProxy versions with split_version()'s rules: negative if a < b, 0 if equal,
 * positive if a > b; NaN if either does not parse.
 */
export function compareVersions(a: string, b: string): number {
  const x = splitVersion(a);
  const y = splitVersion(b);
  if (!x || !y) return NaN;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return 0;
}

/** compare_current_version(): -1 arg older, 0 same, 1 arg newer; -2/-3 unparsable current/arg. */
function compareCurrentVersion(current: string, arg: string): number {
  const loc = splitVersion(current);
  if (!loc) return -2;
  const mod = splitVersion(arg);
  if (!mod) return -3;
  for (let i = 0; i < loc.length; i++) {
    if (mod[i]! < loc[i]!) return -1;
    if (mod[i]! > loc[i]!) return 1;
  }
  return 0;
}

/** HAProxy's openssl_version_parser() (unsigned result, 0 = error), on a byte string. */
export function opensslVersionParser(version: string): number {
  const s = toBytes(version);
  if (s.length === 0) return 0;
  let r = strtol(s, 0, 10);
  const major = u32(r.value);
  if (s[r.end] !== '.' || major > 0xf) return 0;
  r = strtol(s, r.end + 1, 10);
  const minor = u32(r.value);
  if (s[r.end] !== '.' || minor > 0xff) return 0;
  r = strtol(s, r.end + 1, 10);
  const fix = u32(r.value);
  if (fix > 0xff) return 0;
  let p = r.end;
  let patch = 0;
  let status = 0;
  if (p >= s.length) {
    status = 0xf;
  } else if (s[p] === '-') {
    p++;
    if (s.startsWith('beta', p)) {
      status = u32(strtol(s, p + 4, 10).value);
      if (status > 14) return 0;
    }
  } else {
    patch = 1;
    for (; p < s.length; p++) {
      const signedChar = (s.charCodeAt(p) << 24) >> 24; // char is signed on x86-64
      patch = (patch + ((signedChar & ~0x20) - 65)) >>> 0;
    }
    status = 0xf;
  }
  return (((major & 0xf) << 28) | ((minor & 0xff) << 20) | ((fix & 0xff) << 12) | ((patch & 0xff) << 4) | (status & 0xf)) >>> 0;
}

/** OPENSSL_VERSION_NUMBER for an OpenSSL release string like '3.0.13', '3.0.13+quic', '1.1.1w'. */
export function opensslVersionNumber(version: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)([a-z]*)/.exec(version);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const fix = Number(m[3]);
  if (major > 0xf || minor > 0xff || fix > 0xff) return undefined;
  if (major >= 3) return ((major << 28) | (minor << 20) | (fix << 4)) >>> 0; // 0xMNN00PP0
  let letters = 0;
  for (const ch of m[4]!) letters += ch.charCodeAt(0) - 96;
  return ((major << 28) | (minor << 20) | (fix << 12) | ((letters & 0xff) << 4) | 0xf) >>> 0;
}

/** openssl_compare_current_version(): -1/0/1 like compare_current_version, < -1 on failure. */
function compareOpensslVersion(env: CondEnv, arg: string): number {
  if (env.opensslVersion === undefined) return -2; // built without USE_OPENSSL
  const current = opensslVersionNumber(env.opensslVersion);
  if (current === undefined) return -2;
  const num = opensslVersionParser(arg) | 0; // "int numversion" in HAProxy
  if (num === 0) return -3;
  if (num < current) return -1;
  if (num > current) return 1;
  return 0;
}

// ─── Parser (cfg_parse_cond_expr / _and / _term) ─────────────────────────────────────────

type Term =
  | { neg: boolean; kind: 'const'; value: boolean }
  | { neg: boolean; kind: 'paren'; expr: OrNode }
  | { neg: boolean; kind: 'pred'; pred: PredKind; args: string[] };
interface AndNode {
  left: Term;
  right?: AndNode;
}
interface OrNode {
  left: AndNode;
  right?: OrNode;
}
/** A C `const char **text`. */
interface Ref {
  i: number;
}
type ParseRet = -1 | 0 | 1;

class Parser {
  err = '';
  /** errptr, as an index into s (-1 = NULL). */
  errPos = -1;

  constructor(readonly s: string) {}

  private rest(i: number): string {
    return this.s.slice(i);
  }

  private fail(msg: string, at: number): -1 {
    this.err = msg;
    this.errPos = at;
    return -1;
  }

  parseExpr(text: Ref, maxdepth: number): { ret: ParseRet; node?: OrNode } {
    const s = this.s;
    const inp: Ref = { i: text.i };
    if (inp.i >= s.length) return { ret: 0 };
    if (maxdepth <= 0) return { ret: this.fail(`unparsable conditional expression '${this.rest(inp.i)}'`, inp.i) };
    const left = this.parseAnd(inp, maxdepth - 1);
    if (left.ret === -1) return { ret: -1 };
    if (left.ret === 0) return { ret: this.fail(`unparsable conditional expression '${this.rest(inp.i)}'`, inp.i) };
    while (isBlank(s[inp.i])) inp.i++;
    text.i = inp.i;
    if (s[inp.i] !== '|' || s[inp.i + 1] !== '|') return { ret: 1, node: { left: left.node! } };
    inp.i += 2;
    while (isBlank(s[inp.i])) inp.i++;
    const right = this.parseExpr(inp, maxdepth - 1);
    if (right.ret > 0) text.i = inp.i;
    if (right.ret !== 1) return { ret: right.ret };
    return { ret: 1, node: { left: left.node!, right: right.node! } };
  }

  parseAnd(text: Ref, maxdepth: number): { ret: ParseRet; node?: AndNode } {
    const s = this.s;
    const inp: Ref = { i: text.i };
    if (inp.i >= s.length) return { ret: 0 };
    if (maxdepth <= 0) return { ret: this.fail(`unparsable conditional sub-expression '${this.rest(inp.i)}'`, inp.i) };
    const left = this.parseTerm(inp, maxdepth - 1);
    if (left.ret === -1) return { ret: -1 };
    if (left.ret === 0) return { ret: this.fail(`unparsable conditional sub-expression '${this.rest(inp.i)}'`, inp.i) };
    while (isBlank(s[inp.i])) inp.i++;
    text.i = inp.i;
    if (s[inp.i] !== '&' || s[inp.i + 1] !== '&') return { ret: 1, node: { left: left.term! } };
    inp.i += 2;
    while (isBlank(s[inp.i])) inp.i++;
    const right = this.parseAnd(inp, maxdepth - 1);
    if (right.ret > 0) text.i = inp.i;
    if (right.ret !== 1) return { ret: right.ret };
    return { ret: 1, node: { left: left.term!, right: right.node! } };
  }

  parseTerm(text: Ref, maxdepth: number): { ret: ParseRet; term?: Term } {
    const s = this.s;
    let i = text.i;
    while (isBlank(s[i])) i++;
    if (i >= s.length) return { ret: 0 };
    const unparsable = (): { ret: -1 } => ({
      ret: this.fail(`unparsable conditional expression '${this.rest(text.i)}'`, text.i),
    });
    if (maxdepth <= 0) return unparsable();

    let neg = false;
    while (s[i] === '!') {
      neg = !neg;
      do i++;
      while (isBlank(s[i]));
    }

    const num = strtol(s, i, 0);
    if (num.end !== i) {
      text.i = num.end;
      return { ret: 1, term: { neg, kind: 'const', value: num.value !== 0n } };
    }

    if (s[i] === '(') {
      do i++;
      while (isBlank(s[i]));
      const inp: Ref = { i };
      const sub = this.parseExpr(inp, maxdepth - 1);
      if (sub.ret === -1) return { ret: -1 };
      if (sub.ret === 0) return unparsable();
      i = inp.i;
      while (isBlank(s[i])) i++;
      if (s[i] !== ')') {
        return { ret: this.fail(`expected ')' after conditional expression '${this.rest(text.i)}'`, text.i) };
      }
      do i++;
      while (isBlank(s[i]));
      text.i = i;
      return { ret: 1, term: { neg, kind: 'paren', expr: sub.node! } };
    }

    // cfg_lookup_cond_pred(): the word up to the first ' ' or '(' must be a predicate name.
    let len = 0;
    while (len <= LONGEST_PREDICATE && i + len < s.length && s[i + len] !== ' ' && s[i + len] !== '(') len++;
    const name = s.slice(i, i + len);
    const nbarg = len <= LONGEST_PREDICATE ? PREDICATES.get(name) : undefined;
    if (nbarg === undefined) return unparsable();
    const list = this.makeArgList(i + len, nbarg);
    if (!list.ok) {
      return {
        ret: this.fail(`${list.err} in argument ${list.errArg} of predicate '${name}' used in conditional expression`, list.end),
      };
    }
    text.i = list.end;
    return { ret: 1, term: { neg, kind: 'pred', pred: name as PredKind, args: list.args } };
  }

  /** make_arg_list() for <nbarg> mandatory ARGT_STR arguments, with len = -1 (unbounded). */
  private makeArgList(
    start: number,
    nbarg: number,
  ): { ok: true; args: string[]; end: number } | { ok: false; err: string; errArg: number; end: number } {
    const s = this.s;
    let i = start;
    const minArg = nbarg;
    let bounded = true; // C: len != 0
    const empty = s[i] !== '(';
    if (empty) bounded = false;
    else i++;

    const args: string[] = [];
    let pos = 0;
    const error = (err: string): { ok: false; err: string; errArg: number; end: number } => ({
      ok: false,
      err,
      errArg: pos,
      end: i,
    });

    while (pos < nbarg) {
      let squote = false;
      let dquote = false;
      const out: string[] = [];
      let outLen = 0;
      while (bounded && i < s.length && outLen < TRASH_SIZE - 1) {
        const c = s[i]!;
        if (c === '"' && !squote) {
          dquote = !dquote;
          i++;
          continue;
        } else if (c === "'" && !dquote) {
          squote = !squote;
          i++;
          continue;
        } else if (c === '\\' && !squote) {
          const n = s[i + 1];
          if (n === undefined) {
            return error(`failed to parse '${this.rest(i)}' after '${out.join('')}' as type 'string' at position ${pos + 1}`);
          }
          if (n === '\\' || n === ' ' || n === '"' || n === "'") {
            i++;
            out.push(n);
          } else if (n === 'r') {
            i++;
            out.push('\r');
          } else if (n === 'n') {
            i++;
            out.push('\n');
          } else if (n === 't') {
            i++;
            out.push('\t');
          } else {
            out.push('\\'); // just a lone '\'
          }
          outLen++;
          i++;
        } else {
          if (!squote && !dquote && (c === ',' || c === ')')) break;
          out.push(c);
          outLen++;
          i++;
        }
      }
      if (bounded && i < s.length && s[i] !== ',' && s[i] !== ')') {
        return error(`too small buffer size to store decoded argument ${pos + 1}, increase bufsize ?`);
      }
      args.push(out.join(''));
      pos++;
      if (!bounded || i >= s.length || s[i] === ')' || pos >= nbarg) break;
      i++; // skip the comma
    }

    if (pos < minArg) return error(`missing arguments (got ${pos}/${minArg}), type 'string' expected`);
    if (!empty) {
      if (s[i] === ')') {
        i++;
      } else {
        const word = this.rest(i);
        const msg = word ? `expected ')' before '${word}'` : `expected ')'`;
        if (pos > 1) pos--;
        return error(msg);
      }
    }
    return { ok: true, args, end: i };
  }
}

// ─── Evaluation (cfg_eval_cond_expr / _and / _term) ─────────────────────────────────────────

/** 1 true, 0 false, -1 failure (HAProxy sets no message for the failures that can happen). */
function evalOr(node: OrNode, env: CondEnv): -1 | 0 | 1 {
  let n: OrNode | undefined = node;
  let ret: -1 | 0 | 1 = 0;
  while (n) {
    ret = evalAnd(n.left, env);
    if (ret !== 0) break;
    n = n.right;
  }
  return ret;
}

function evalAnd(node: AndNode, env: CondEnv): -1 | 0 | 1 {
  let n: AndNode | undefined = node;
  let ret: -1 | 0 | 1 = 1;
  while (n) {
    ret = evalTerm(n.left, env);
    if (ret <= 0) break;
    n = n.right;
  }
  return ret;
}

function evalTerm(t: Term, env: CondEnv): -1 | 0 | 1 {
  let ret: -1 | 0 | 1;
  if (t.kind === 'const') ret = t.value ? 1 : 0;
  else if (t.kind === 'paren') ret = evalOr(t.expr, env);
  else ret = evalPredicate(t.pred, t.args, env);
  if (ret >= 0 && t.neg) ret = ret ? 0 : 1;
  return ret;
}

function evalPredicate(pred: PredKind, args: readonly string[], env: CondEnv): -1 | 0 | 1 {
  const a0 = args[0] ?? '';
  const b = (v: boolean): 0 | 1 => (v ? 1 : 0);
  switch (pred) {
    case 'defined':
      // glibc getenv("") is NULL
      return b(a0 !== '' && env.getenv(fromBytes(a0)) !== undefined);
    case 'feature':
      return b(hasFeature(env, a0));
    case 'streq':
      return b(a0 === (args[1] ?? ''));
    case 'strneq':
      return b(a0 !== (args[1] ?? ''));
    case 'version_atleast':
      return b(compareCurrentVersion(env.version, fromBytes(a0)) <= 0);
    case 'version_before':
      return b(compareCurrentVersion(env.version, fromBytes(a0)) > 0);
    case 'openssl_version_atleast':
    case 'openssl_version_before': {
      const r = compareOpensslVersion(env, fromBytes(a0));
      if (r < -1) return -1;
      return pred === 'openssl_version_atleast' ? b(r <= 0) : b(r > 0);
    }
    case 'ssllib_name_startswith': {
      const lib = env.sslLibrary ?? (env.opensslVersion !== undefined ? `OpenSSL ${env.opensslVersion}` : undefined);
      return b(lib !== undefined && toBytes(lib).startsWith(a0));
    }
  }
}

/** HAProxy's feature() scan: first occurrence of <name> that follows '+' or '-' and ends a word. */
function hasFeature(env: CondEnv, name: string): boolean {
  // With an empty needle HAProxy's loop runs past the end of the string; the 2.6.12 build
  // answers true (observed), so do we.
  if (name === '') return true;
  const list = toBytes(env.featureList ?? [...env.features].map((f) => '+' + f).join(' '));
  for (let p = list.indexOf(name); p !== -1; p = list.indexOf(name, p + 1)) {
    const after = list[p + name.length];
    if (p > 0 && (after === undefined || after === ' ')) {
      if (list[p - 1] === '+') return true;
      if (list[p - 1] === '-') return false;
    }
  }
  return false;
}

// ─── Entry points ───────────────────────────────────────────────────────────────────────────

/** The expression HAProxy evaluates for these words: joined with single spaces, NULs → spaces. */
export function joinConditionWords(args: readonly string[]): string {
  return args.join(' ').replace(/\0/g, ' ');
}

/**
 * Evaluates a condition the way HAProxy 2.6.12's cfg_eval_condition() does.
 * args: the words of a `.if`/`.elif` line after the directive (or the -cc words), already
 * tokenized (quotes removed, "${VAR}" expanded), INCLUDING empty words; see the header comment.
 */
export function evalCondition(args: readonly string[], env: CondEnv): CondResult {
  const expr = joinConditionWords(args);
  const s = toBytes(expr);
  if (s.length === 0) return { ok: true, value: false };

  const p = new Parser(s);
  const text: Ref = { i: 0 };
  const failed = (error: string, errPos: number): CondResult => ({
    ok: false,
    error: fromBytes(error),
    position: errPos >= 0 ? errPos + 1 : 0,
    expr,
  });

  const parsed = p.parseExpr(text, MAX_CFG_RECURSION);
  if (parsed.ret === -1) return failed(p.err, p.errPos);
  if (parsed.ret === 0) return failed(`unparsable conditional expression '${s}'`, text.i); // unreachable
  let i = text.i;
  while (isBlank(s[i])) i++;
  if (i < s.length) {
    return failed(`unexpected character '${s[i]}' at the end of conditional expression '${s}'`, i);
  }
  const v = evalOr(parsed.node!, env);
  if (v < 0) return failed('', -1);
  return { ok: true, value: v === 1 };
}

/** C sanitize_for_printing() on a byte string: returns the printable line and the new pos. */
function sanitizeForPrinting(line: string, pos: number, width: number): { line: string; pos: number } {
  let shift = 0;
  let inp = 0;
  let end = width;
  let out = '';
  if (pos >= width) {
    shift = pos - Math.floor(width / 2);
    inp = shift + 3;
    end = width - 3;
    out = '...';
  }
  while (out.length < end && inp < line.length) {
    const c = line.charCodeAt(inp);
    if (isCSpace(line[inp])) out += ' ';
    else if (c >= 0x20 && c < 0x7f) out += line[inp];
    else out += '?';
    inp++;
  }
  if (end < width) out += '...';
  return { line: out, pos: pos - shift };
}

/**
 * HAProxy's alert for a failed `.if`/`.elif`: the text to put after "parsing [file:line]: "
 * (tight colon) and the two indented lines printed under it. For failures HAProxy reports
 * without a message (openssl_version_* that cannot be evaluated: HAProxy 2.6.12 crashes there),
 * returns a Switchyard wording instead.
 */
export function conditionErrorReport(
  directive: '.if' | '.elif',
  r: { error: string; position?: number; expr?: string },
): { message: string; detail: string[] } {
  const expr = r.expr ?? '';
  if (!r.position) {
    const what = r.error || `cannot evaluate conditional expression '${expr}'`;
    return { message: `${what} in '${directive}'.`, detail: [] };
  }
  const bytes = toBytes(expr);
  const width = 79 - directive.length; // 76 for '.if', 74 for '.elif'
  const san = sanitizeForPrinting(bytes, r.position - 1, width);
  return {
    message: `${r.error} in '${directive}' at position ${r.position}:`,
    detail: [`  ${directive} ${san.line}`, `  ${' '.repeat(san.pos + directive.length + 1)}^`],
  };
}
