// Conditional expressions (-cc and .if/.elif). Every expected result in CASES below was checked
// against the real HAProxy 2.6.12 (/usr/sbin/haproxy 2.6.12-1+deb12u4, Debian bookworm build with
// OpenSSL 3.0.22 headers / 3.0.19 runtime) with `haproxy -cc '<cc>'; echo $?`. The second test
// replays the table through that binary when it is installed, so the table proves itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareVersions,
  conditionErrorReport,
  evalCondition,
  joinConditionWords,
  opensslVersionNumber,
  opensslVersionParser,
  splitVersion,
  type CondEnv,
  type CondResult,
} from '../src/config/condition.js';

const HAPROXY = '/usr/sbin/haproxy';
const haveHaproxy = existsSync(HAPROXY);

/** The environment both we and the real binary see (HAProxy adds HAPROXY_STARTUP_VERSION and
 * HAPROXY_LOCALPEER itself, so the table never asks about those). */
const TEST_ENV: Record<string, string> = { SY_SET: 'yes', SY_EMPTY: '', SY_EXPR: '1 && 0', SY_SPACE: 'a b' };

/** `haproxy -vv` "Feature list" of the 2.6.12 build the table was checked with. */
const FEATURE_LIST =
  '-51DEGREES +ACCEPT4 +BACKTRACE -CLOSEFROM +CPU_AFFINITY +CRYPT_H -DEVICEATLAS +DL -ENGINE +EPOLL ' +
  '-EVPORTS +GETADDRINFO -KQUEUE +LIBCRYPT +LINUX_SPLICE +LINUX_TPROXY +LUA -MEMORY_PROFILING ' +
  '+NETFILTER +NS -OBSOLETE_LINKER +OPENSSL +OT -PCRE +PCRE2 +PCRE2_JIT -PCRE_JIT +POLL +PRCTL ' +
  '-PROCCTL +PROMEX -QUIC +RT +SLZ -STATIC_PCRE -STATIC_PCRE2 +SYSTEMD +TFO +THREAD +THREAD_DUMP ' +
  '+TPROXY -WURFL -ZLIB';

function envFor(facts: { featureList: string; version: string; openssl?: string; sslLibrary?: string }): CondEnv {
  return {
    getenv: (n) => TEST_ENV[n],
    features: new Set(
      facts.featureList
        .split(' ')
        .filter((w) => w.startsWith('+'))
        .map((w) => w.slice(1)),
    ),
    featureList: facts.featureList,
    version: facts.version,
    opensslVersion: facts.openssl,
    sslLibrary: facts.sslLibrary,
  };
}

/** HAProxy 2.6.12 as installed when the table was recorded. */
const HAP_FACTS = {
  featureList: FEATURE_LIST,
  version: '2.6.12-1+deb12u4',
  openssl: '3.0.22', // "Built with OpenSSL version : OpenSSL 3.0.22 25 Aug 2026"
  sslLibrary: 'OpenSSL 3.0.19 27 Jan 2026', // "Running on OpenSSL version : ..."
};
const HAP_ENV = envFor(HAP_FACTS);

interface Case {
  /** The -cc argument given to HAProxy (which tokenizes it like a config line, without '#'). */
  readonly cc: string;
  /** The words evalCondition() receives; default: cc split on blanks (keeping edge empties). */
  readonly args?: readonly string[];
  /** true / false, or the exact error text ('' = HAProxy fails without a message). */
  readonly want: boolean | string;
  /** Depends on the binary's version/features/OpenSSL (checked only when they match HAP_FACTS). */
  readonly binDependent?: boolean;
}

const rep = (s: string, n: number): string => s.repeat(n);

const CASES: readonly Case[] = [
  // empty and integers (strtol base 0)
  { cc: '', want: false },
  { cc: '""', args: [''], want: false },
  { cc: '1', want: true },
  { cc: '0', want: false },
  { cc: '-1', want: true },
  { cc: '+1', want: true },
  { cc: '-0', want: false },
  { cc: '01', want: true },
  { cc: '0x10', want: true },
  { cc: '0x0', want: false },
  { cc: '00', want: false },
  { cc: '99999999999999999999999', want: true },
  { cc: '0x', want: "unexpected character 'x' at the end of conditional expression '0x'" },
  { cc: '09', want: "unexpected character '9' at the end of conditional expression '09'" },
  { cc: '0b1', want: "unexpected character 'b' at the end of conditional expression '0b1'" },
  { cc: 'abc', want: "unparsable conditional expression 'abc'" },
  { cc: '- 1', want: "unparsable conditional expression '- 1'" },
  { cc: '1 2', want: "unexpected character '2' at the end of conditional expression '1 2'" },
  { cc: '1 # 0', want: "unexpected character '#' at the end of conditional expression '1 # 0'" },
  // word joining: one space per separator, empty words kept
  { cc: '1 ""', args: ['1', ''], want: true },
  { cc: '"" 1', args: ['', '1'], want: true },
  { cc: '"" ""', args: ['', ''], want: "unparsable conditional sub-expression ' '" },
  { cc: ' foo(1)', want: "unparsable conditional expression ' foo(1)'" },
  { cc: 'foo(1) ', want: "unparsable conditional expression 'foo(1) '" },
  { cc: '  foo(1)  ', want: "unparsable conditional expression ' foo(1) '" },
  { cc: 'defined  (SY_SET)', want: "unexpected character '(' at the end of conditional expression 'defined (SY_SET)'" },
  { cc: '"defined(SY_SET) && 0"', args: ['defined(SY_SET) && 0'], want: false },
  { cc: '"$SY_EXPR"', args: ['1 && 0'], want: false },
  // negation
  { cc: '!0', want: true },
  { cc: '! 0', want: true },
  { cc: '!!1', want: true },
  { cc: ' !  1', want: false },
  { cc: `${rep('!', 1001)}1`, want: false },
  { cc: '!(0)', want: true },
  { cc: '!', want: "unparsable conditional expression '!'" },
  { cc: '!(', want: "unparsable conditional expression '!('" },
  // operators, precedence, parentheses
  { cc: '1 && 0', want: false },
  { cc: '1&&1', want: true },
  { cc: '1||0', want: true },
  { cc: '0 || 0', want: false },
  { cc: '1   &&   1', want: true },
  { cc: '1 || 0 && 0', want: true },
  { cc: '0 && 1 || 1', want: true },
  { cc: '(1 || 0) && 0', want: false },
  { cc: '0 || 1 && !0', want: true },
  { cc: '!1 || !0 && 1', want: true },
  { cc: '( 1 )', want: true },
  { cc: '((0)||(1))', want: true },
  { cc: '()', want: "unparsable conditional expression ')'" },
  { cc: '(', want: "unparsable conditional expression '('" },
  { cc: '( ', want: "unparsable conditional expression '( '" },
  { cc: '(1', want: "expected ')' after conditional expression '(1'" },
  { cc: '((1)', want: "expected ')' after conditional expression '((1)'" },
  { cc: '1)', want: "unexpected character ')' at the end of conditional expression '1)'" },
  { cc: '(1)x', want: "unexpected character 'x' at the end of conditional expression '(1)x'" },
  { cc: '(1 && )', want: "unparsable conditional expression ')'" },
  { cc: '(&&)', want: "unparsable conditional expression '&&)'" },
  { cc: '1 &&', want: "unparsable conditional expression '&&'" },
  { cc: '1 && 1 &&', want: "unparsable conditional expression '&& 1 &&'" },
  { cc: '(1 && 1 &&', want: "unparsable conditional expression '&& 1 &&'" },
  { cc: '0 || 0 ||', want: "unparsable conditional expression '0 || 0 ||'" },
  { cc: '(0 ||', want: "unparsable conditional expression '(0 ||'" },
  { cc: '1 || 1 &&', want: "unparsable conditional expression '&&'" },
  { cc: '&& 1', want: "unparsable conditional expression '&& 1'" },
  { cc: '1 &', want: "unexpected character '&' at the end of conditional expression '1 &'" },
  { cc: '1 | 0', want: "unexpected character '|' at the end of conditional expression '1 | 0'" },
  // everything is parsed before anything is evaluated: no short-circuit for syntax errors
  { cc: '0 && foo()', want: "unparsable conditional expression 'foo()'" },
  { cc: '1 || foo()', want: "unparsable conditional expression 'foo()'" },
  { cc: '1 || streq(a)', want: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression" },
  // unknown predicates (2.6.12 has no enabled(), strstr(), ...), case-sensitive names
  { cc: 'foo(1)', want: "unparsable conditional expression 'foo(1)'" },
  { cc: 'enabled(POLL)', want: "unparsable conditional expression 'enabled(POLL)'" },
  { cc: 'strstr(abc,b)', want: "unparsable conditional expression 'strstr(abc,b)'" },
  { cc: 'Defined(SY_SET)', want: "unparsable conditional expression 'Defined(SY_SET)'" },
  { cc: 'definedx(SY_SET)', want: "unparsable conditional expression 'definedx(SY_SET)'" },
  { cc: 'openssl_version_atleastx(1)', want: "unparsable conditional expression 'openssl_version_atleastx(1)'" },
  // defined()
  { cc: 'defined(SY_SET)', want: true },
  { cc: 'defined(SY_EMPTY)', want: true },
  { cc: 'defined(SY_NOPE)', want: false },
  { cc: 'defined()', want: false },
  { cc: 'defined', want: false },
  { cc: '!defined(SY_NOPE)', want: true },
  { cc: 'defined("SY_SET")', args: ['defined(SY_SET)'], want: true },
  { cc: 'defined(\\"SY_SET\\")', args: ['defined("SY_SET")'], want: true },
  { cc: 'defined(SY_SET)&&defined(SY_NOPE)', want: false },
  { cc: 'defined(SY_SET) && defined(SY_EMPTY)', want: true },
  { cc: 'defined(SY_SET,x)', want: "expected ')' before ',x)' in argument 1 of predicate 'defined' used in conditional expression" },
  { cc: 'defined(SY_SET', want: "expected ')' in argument 1 of predicate 'defined' used in conditional expression" },
  { cc: 'defined(SY_SET)x', want: "unexpected character 'x' at the end of conditional expression 'defined(SY_SET)x'" },
  { cc: 'defined(SY_SET) x', want: "unexpected character 'x' at the end of conditional expression 'defined(SY_SET) x'" },
  { cc: 'defined(SY_SET)||', want: "unparsable conditional expression 'defined(SY_SET)||'" },
  {
    cc: 'defined(a\\',
    args: ['defined(a\\'],
    want: "failed to parse '\\' after 'a' as type 'string' at position 1 in argument 0 of predicate 'defined' used in conditional expression",
  },
  // streq() / strneq(): argument splitting and quoting inside make_arg_list
  { cc: 'streq(a,a)', want: true },
  { cc: 'streq(a,b)', want: false },
  { cc: 'strneq(a,b)', want: true },
  { cc: 'strneq(a,a)', want: false },
  { cc: 'streq(,)', want: true },
  { cc: 'strneq(a,)', want: true },
  { cc: 'streq("a b","a b")', args: ['streq(a b,a b)'], want: true },
  { cc: 'streq(a\\ b,"a b")', args: ['streq(a b,a b)'], want: true },
  { cc: 'streq("$SY_SPACE",a\\ b)', args: ['streq(a b,a b)'], want: true },
  { cc: 'streq(a, a)', args: ['streq(a,', 'a)'], want: false },
  { cc: 'streq(a\\,b)', args: ['streq(a\\,b)'], want: false },
  { cc: 'streq(\\"a,b\\",\\"a,b\\")', args: ['streq("a,b","a,b")'], want: true },
  { cc: 'streq(\\"a,b\\",a\\\\,b)', args: ['streq("a,b",a\\,b)'], want: "expected ')' before ',b)' in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: "streq(\\'a,b\\',\\'a,b\\')", args: ["streq('a,b','a,b')"], want: true },
  { cc: "streq(\\'a\\\\,b\\',a\\\\,b)", args: ["streq('a\\,b',a\\,b)"], want: "expected ')' before ',b)' in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: 'streq(\\"a)\\",a\\")\\")', args: ['streq("a)",a")")'], want: true },
  { cc: 'streq(\\"a)\\",a\\\\))', args: ['streq("a)",a\\))'], want: `unexpected character ')' at the end of conditional expression 'streq("a)",a\\))'` },
  { cc: 'streq(\\"\\",)', args: ['streq("",)'], want: true },
  { cc: 'streq(a\\\\tb,a\\tb)', args: ['streq(a\\tb,a\tb)'], want: true },
  { cc: "streq(\\'a\\\\tb\\',a\\\\\\\\tb)", args: ["streq('a\\tb',a\\\\tb)"], want: true },
  { cc: 'streq(\\"a\\\\\\"b\\",a\\\\\\"b)', args: ['streq("a\\"b",a\\"b)'], want: true },
  { cc: 'streq', want: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: 'streq()', want: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: 'streq(a)', want: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: 'streq(a', want: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: 'strneq', want: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'strneq' used in conditional expression" },
  { cc: 'streq(a,b', want: "expected ')' in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: 'streq(a,', want: "expected ')' in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: 'streq(a,b,c)', want: "expected ')' before ',c)' in argument 1 of predicate 'streq' used in conditional expression" },
  { cc: 'streq(a,b)c', want: "unexpected character 'c' at the end of conditional expression 'streq(a,b)c'" },
  { cc: `streq(${rep('x', 16383)},${rep('x', 16383)})`, want: true },
  {
    cc: `strneq(${rep('x', 16384)},x)`,
    want: "too small buffer size to store decoded argument 1, increase bufsize ? in argument 0 of predicate 'strneq' used in conditional expression",
  },
  // feature(): HAProxy's scan of the -vv feature string
  { cc: 'feature(OPENSSL)', want: true, binDependent: true },
  { cc: 'feature(EPOLL)', want: true, binDependent: true },
  { cc: 'feature(PCRE2)', want: true, binDependent: true },
  { cc: 'feature(PCRE)', want: false, binDependent: true },
  { cc: 'feature(ZLIB)', want: false, binDependent: true },
  { cc: 'feature(51DEGREES)', want: false, binDependent: true },
  { cc: 'feature(openssl)', want: false, binDependent: true },
  { cc: 'feature(SSL)', want: false, binDependent: true },
  { cc: 'feature(CRE2)', want: false, binDependent: true },
  { cc: 'feature(NOPE)', want: false, binDependent: true },
  { cc: 'feature(-PCRE)', want: false, binDependent: true },
  { cc: 'feature(OPENSSL +OT)', args: ['feature(OPENSSL', '+OT)'], want: true, binDependent: true },
  { cc: 'feature(PCRE +PCRE2)', args: ['feature(PCRE', '+PCRE2)'], want: false, binDependent: true },
  { cc: 'feature()', want: true, binDependent: true },
  { cc: 'feature', want: true, binDependent: true },
  { cc: '!feature(QUIC)', want: true, binDependent: true },
  { cc: 'feature(OPENSSL) && (streq(yes,yes) || streq(no,yes))', want: true, binDependent: true },
  // version_atleast() / version_before() against 2.6.12(-1+deb12u4)
  { cc: 'version_atleast(2.6)', want: true, binDependent: true },
  { cc: 'version_atleast(2.6.12)', want: true, binDependent: true },
  { cc: 'version_atleast(2.6.12.0)', want: true, binDependent: true },
  { cc: 'version_atleast(2.6.12.1)', want: false, binDependent: true },
  { cc: 'version_atleast(2.6.13)', want: false, binDependent: true },
  { cc: 'version_atleast(2.4-dev19)', want: true, binDependent: true },
  { cc: 'version_atleast(2.6.12-dev1)', want: true, binDependent: true },
  { cc: 'version_atleast(2.6-dev1)', want: true, binDependent: true },
  { cc: 'version_atleast(2.6.12-1)', want: false, binDependent: true },
  { cc: 'version_atleast(2.6.12-1+deb12u4)', want: true, binDependent: true },
  { cc: 'version_atleast(3)', want: false, binDependent: true },
  { cc: 'version_atleast(2)', want: true, binDependent: true },
  { cc: 'version_before(2.6.13)', want: true, binDependent: true },
  { cc: 'version_before(2.6.12)', want: false, binDependent: true },
  { cc: 'version_before(2.6.13-dev1)', want: true, binDependent: true },
  { cc: 'version_before(2.7-dev0)', want: true, binDependent: true },
  { cc: 'version_before(2.6)', want: false, binDependent: true },
  { cc: 'version_atleast(x)', want: true, binDependent: true },
  { cc: 'version_before(x)', want: false, binDependent: true },
  { cc: 'version_atleast()', want: true, binDependent: true },
  { cc: 'version_atleast', want: true, binDependent: true },
  { cc: 'version_before()', want: false, binDependent: true },
  { cc: 'version_atleast(2.6.12.1.1)', want: true, binDependent: true },
  { cc: 'version_before(2.6x)', want: false, binDependent: true },
  { cc: 'version_before(2.7-)', want: true, binDependent: true },
  { cc: 'version_before(2.7.)', want: true, binDependent: true },
  { cc: 'version_before(2.7-x-)', want: false, binDependent: true },
  // openssl_version_*(): compile-time OPENSSL_VERSION_NUMBER (3.0.22 = 0x30000160)
  { cc: 'openssl_version_atleast(1.0.0)', want: true, binDependent: true },
  { cc: 'openssl_version_before(1.0.0)', want: false, binDependent: true },
  { cc: 'openssl_version_atleast(1.1.1w)', want: true, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.0)', want: true, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.0a)', want: true, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.0-beta1)', want: true, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.0-alpha)', want: true, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.)', want: true, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.1)', want: false, binDependent: true },
  { cc: 'openssl_version_before(3.0.1)', want: true, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.22)', want: false, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.0beta)', want: false, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.x)', want: false, binDependent: true },
  { cc: 'openssl_version_atleast(3.1.0)', want: false, binDependent: true },
  { cc: 'openssl_version_atleast(9.0.0)', want: true, binDependent: true },
  { cc: 'openssl_version_before(9.0.0)', want: false, binDependent: true },
  { cc: 'openssl_version_atleast(15.0.0)', want: true, binDependent: true },
  { cc: 'openssl_version_atleast(3.0.255)', want: false, binDependent: true },
  { cc: 'openssl_version_atleast(16.0.0)', want: '', binDependent: true },
  { cc: 'openssl_version_atleast(3.0.256)', want: '', binDependent: true },
  { cc: 'openssl_version_atleast(3.0.0-beta15)', want: '', binDependent: true },
  { cc: 'openssl_version_atleast(3.0)', want: '', binDependent: true },
  { cc: 'openssl_version_before(3)', want: '', binDependent: true },
  { cc: 'openssl_version_atleast()', want: '', binDependent: true },
  { cc: 'openssl_version_atleast', want: '', binDependent: true },
  { cc: '!openssl_version_atleast(1.0)', want: '', binDependent: true },
  { cc: 'openssl_version_atleast(1.0) || 1', want: '', binDependent: true },
  { cc: 'openssl_version_atleast(1.0) && 0', want: '', binDependent: true },
  { cc: '1 || openssl_version_atleast(1.0)', want: true, binDependent: true },
  { cc: '0 && openssl_version_atleast(1.0)', want: false, binDependent: true },
  // ssllib_name_startswith(): runtime OpenSSL_version(OPENSSL_VERSION)
  { cc: 'ssllib_name_startswith(OpenSSL)', want: true, binDependent: true },
  { cc: 'ssllib_name_startswith(Open)', want: true, binDependent: true },
  { cc: 'ssllib_name_startswith()', want: true, binDependent: true },
  { cc: 'ssllib_name_startswith(openssl)', want: false, binDependent: true },
  { cc: 'ssllib_name_startswith(LibreSSL)', want: false, binDependent: true },
  { cc: 'ssllib_name_startswith(OpenSSL 3.0.19 27 Jan 2026)', args: ['ssllib_name_startswith(OpenSSL', '3.0.19', '27', 'Jan', '2026)'], want: true, binDependent: true },
  { cc: 'ssllib_name_startswith(OpenSSL 3.0.19 27 Jan 2026x)', args: ['ssllib_name_startswith(OpenSSL', '3.0.19', '27', 'Jan', '2026x)'], want: false, binDependent: true },
  // nesting limits (MAX_CFG_RECURSION = 1024) and hostile input
  { cc: `${rep('(', 340)}1${rep(')', 340)}`, want: true },
  { cc: `${rep('(', 341)}1${rep(')', 341)}`, want: `unparsable conditional sub-expression '1${rep(')', 341)}'` },
  { cc: `${rep('(', 342)}1${rep(')', 342)}`, want: `unparsable conditional sub-expression '(1${rep(')', 342)}'` },
  { cc: `${rep('(', 340)}1&&1${rep(')', 340)}`, want: true },
  { cc: `${rep('(', 340)}1&&1&&1${rep(')', 340)}`, want: `unparsable conditional expression '1${rep(')', 340)}'` },
  { cc: `1${rep('&&1', 1021)}`, want: true },
  { cc: `1${rep('&&1', 1022)}`, want: "unparsable conditional expression '1'" },
  { cc: `1${rep('&&1', 1023)}`, want: "unparsable conditional expression '1&&1'" },
  { cc: `0${rep('||0', 1021)}`, want: false },
  { cc: `0${rep('||0', 1022)}`, want: "unparsable conditional expression '0'" },
  { cc: `0${rep('||1&&0', 1000)}`, want: false },
  { cc: `0${rep('||1&&0', 2000)}`, want: `unparsable conditional expression '0${rep('||1&&0', 979)}'` },
  { cc: rep('(', 100000), want: `unparsable conditional sub-expression '${rep('(', 100000 - 341)}'` },
  { cc: rep('x', 30000), want: `unparsable conditional expression '${rep('x', 30000)}'` },
];

const wordsOf = (c: Case): readonly string[] => c.args ?? c.cc.split(/[ \t]+/);

function outcome(r: CondResult): boolean | string {
  return r.ok ? r.value : r.error;
}

const short = (s: string): string => (s.length > 80 ? `${s.slice(0, 60)}…(${s.length} chars)` : s);

test('condition table (expected results checked against HAProxy 2.6.12)', () => {
  const wrong: string[] = [];
  for (const c of CASES) {
    const got = outcome(evalCondition(wordsOf(c), HAP_ENV));
    if (got !== c.want) wrong.push(`-cc ${short(c.cc)}: got ${JSON.stringify(short(String(got)))}`);
  }
  assert.deepEqual(wrong, []);
});

test('words are joined with single spaces, NULs included', () => {
  assert.equal(joinConditionWords(['defined(A)', '&&', 'defined(B)']), 'defined(A) && defined(B)');
  assert.equal(joinConditionWords(['', '1', '']), ' 1 ');
  assert.equal(joinConditionWords(['1\0&&\x000']), '1 && 0');
  assert.deepEqual(evalCondition(['1\0&&\x000'], HAP_ENV), { ok: true, value: false });
  assert.deepEqual(evalCondition([], HAP_ENV), { ok: true, value: false });
});

test('error results carry the 1-based position and the evaluated expression', () => {
  assert.deepEqual(evalCondition(['1', '&&', 'foo(1)', ''], HAP_ENV), {
    ok: false,
    error: "unparsable conditional expression 'foo(1) '",
    position: 6,
    expr: '1 && foo(1) ',
  });
  const r = evalCondition(['defined(X,y)'], HAP_ENV);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.position, 10); // make_arg_list stopped on the ','
  const silent = evalCondition(['openssl_version_atleast(3.0)'], HAP_ENV);
  assert.deepEqual(silent, { ok: false, error: '', position: 0, expr: 'openssl_version_atleast(3.0)' });
});

test('hostile input: deep nesting and long chains fail cleanly', () => {
  for (const expr of [rep('(', 100000), rep('(', 50000) + '1' + rep(')', 50000), `1${rep('&&1', 100000)}`, `${rep('!(', 100000)}1`]) {
    const r = evalCondition([expr], HAP_ENV);
    assert.equal(r.ok, false);
  }
  assert.deepEqual(evalCondition([`${rep('!', 200001)}0`], HAP_ENV), { ok: true, value: true });
  assert.equal(evalCondition([`0${rep(' || 0 && 1', 50000)}`], HAP_ENV).ok, false);
});

test('without TLS, openssl predicates fail silently and ssllib_name_startswith is false', () => {
  const env: CondEnv = { getenv: () => undefined, features: new Set(['EPOLL']), version: '2.6.12' };
  assert.deepEqual(evalCondition(['openssl_version_atleast(1.0.0)'], env), {
    ok: false,
    error: '',
    position: 0,
    expr: 'openssl_version_atleast(1.0.0)',
  });
  assert.deepEqual(evalCondition(['ssllib_name_startswith()'], env), { ok: true, value: false });
  // the features set alone (no featureList) answers single names the same way
  assert.deepEqual(evalCondition(['feature(EPOLL)'], env), { ok: true, value: true });
  assert.deepEqual(evalCondition(['feature(POLL)'], env), { ok: true, value: false });
  assert.deepEqual(evalCondition(['version_atleast(2.6.12)'], env), { ok: true, value: true });
  assert.deepEqual(evalCondition(['version_before(2.6.12-1)'], env), { ok: true, value: true });
});

test('version helpers follow HAProxy split_version() / openssl_version_parser()', () => {
  assert.deepEqual(splitVersion('2.4-dev19'), [2, 4, 0, 0, 1, 19, 0]);
  assert.deepEqual(splitVersion('2.6.12-1+deb12u4'), [2, 6, 12, 0, 3, 0, 0]);
  assert.deepEqual(splitVersion('2.6.12-1'), [2, 6, 12, 0, 3, 0, 1]);
  assert.deepEqual(splitVersion('2.6-rc2-15'), [2, 6, 0, 0, 2, 2, 15]);
  assert.deepEqual(splitVersion('2.6-pre3'), [2, 6, 0, 0, 2, 3, 0]);
  assert.deepEqual(splitVersion('1.2.3.4'), [1, 2, 3, 4, 3, 0, 0]);
  assert.equal(splitVersion(''), undefined);
  assert.equal(splitVersion('x'), undefined);
  assert.equal(splitVersion('1.2.3.4.5'), undefined);
  assert.deepEqual(splitVersion('2.6-'), [2, 6, 0, 0, 3, 0, 0]);
  assert.equal(splitVersion('2.7-x-'), undefined);
  assert.ok(compareVersions('2.4-dev19', '2.4') < 0);
  assert.ok(compareVersions('2.4-dev19', '2.4-dev2') > 0);
  assert.ok(compareVersions('2.6-rc1', '2.6-dev9') > 0);
  assert.equal(compareVersions('2.6-pre1', '2.6-rc1'), 0);
  assert.equal(compareVersions('2.6.12-1+deb12u4', '2.6.12'), 0);
  assert.equal(compareVersions('2.6', '2.6.0.0'), 0);
  assert.ok(compareVersions('2.6.12-1', '2.6.12') > 0);
  assert.ok(compareVersions('2.6.12.1', '2.6.12') > 0);
  assert.ok(compareVersions('2.10', '2.9') > 0);
  assert.ok(Number.isNaN(compareVersions('x', '2.6')));
  assert.equal(opensslVersionNumber('3.0.22'), 0x30000160);
  assert.equal(opensslVersionNumber('3.0.13+quic'), 0x300000d0);
  assert.equal(opensslVersionNumber('1.1.1w'), 0x1010117f);
  assert.equal(opensslVersionNumber('nope'), undefined);
  assert.equal(opensslVersionParser('0.9.8zh'), 0x0090821f);
  assert.equal(opensslVersionParser('1.0.2u'), 0x1000215f);
  assert.equal(opensslVersionParser('3.0.0-alpha17'), 0x30000000);
  assert.equal(opensslVersionParser('3.0.0-beta2'), 0x30000002);
  assert.equal(opensslVersionParser('3.0.0'), 0x3000000f);
  assert.equal(opensslVersionParser('3.0'), 0);
});

test('.if/.elif error report has HAProxy\'s shape', () => {
  const r = evalCondition(['foo(1)'], HAP_ENV);
  assert.ok(!r.ok);
  assert.deepEqual(conditionErrorReport('.if', r), {
    message: "unparsable conditional expression 'foo(1)' in '.if' at position 1:",
    detail: ['  .if foo(1)', '      ^'],
  });
  const long = evalCondition(`${rep('1 && ', 20)}foo(1)`.split(' '), HAP_ENV);
  assert.ok(!long.ok);
  assert.deepEqual(conditionErrorReport('.elif', long), {
    message: "unparsable conditional expression 'foo(1)' in '.elif' at position 101:",
    detail: [`  .elif ... && 1 && 1 && 1 && 1 && 1 && 1 && foo(1)...`, `  ${' '.repeat(43)}^`],
  });
});

// ─── The same table through the real binary ─────────────────────────────────────────────────

function binaryFacts(): typeof HAP_FACTS {
  const vv = spawnSync(HAPROXY, ['-vv'], { encoding: 'utf8', env: TEST_ENV }).stdout;
  const pick = (re: RegExp): string | undefined => re.exec(vv)?.[1];
  return {
    version: pick(/^HAProxy version (\S+)/m) ?? '',
    featureList: pick(/^Feature list : (.*)$/m) ?? '',
    openssl: pick(/^Built with OpenSSL version : OpenSSL (\S+)/m) ?? '',
    sslLibrary: pick(/^Running on OpenSSL version : (.*)$/m) ?? '',
  };
}

function runCc(expr: string): boolean | string {
  const r = spawnSync(HAPROXY, ['-cc', expr], { encoding: 'utf8', env: TEST_ENV });
  if (r.status === 0) return true;
  if (r.status === 1) return false;
  assert.equal(r.status, 2, `haproxy -cc ${short(expr)} exited with ${r.status} ${r.signal ?? ''}`);
  const line = r.stderr.split('\n').find((l) => l.includes('Failed to evaluate condition: '));
  return line ? line.slice(line.indexOf('Failed to evaluate condition: ') + 30) : '';
}

test('the table matches the real haproxy -cc', { skip: !haveHaproxy }, () => {
  const facts = binaryFacts();
  const sameBuild = JSON.stringify(facts) === JSON.stringify(HAP_FACTS);
  const binEnv = envFor(facts);
  const wrong: string[] = [];
  for (const c of CASES) {
    const real = runCc(c.cc);
    const ours = outcome(evalCondition(wordsOf(c), binEnv));
    const show = (v: boolean | string): string => JSON.stringify(short(String(v)));
    if (ours !== real) wrong.push(`evalCondition vs haproxy -cc ${short(c.cc)}: ${show(ours)} != ${show(real)}`);
    if ((!c.binDependent || sameBuild) && c.want !== real) wrong.push(`table vs haproxy -cc ${short(c.cc)}: haproxy says ${show(real)}`);
  }
  assert.deepEqual(wrong, []);
});

test('.if/.elif error reports match the real haproxy -c', { skip: !haveHaproxy }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-cond-'));
  try {
    const lines: { line: string; words: string[] }[] = [
      { line: '.if foo(1)', words: ['.if', 'foo(1)'] },
      { line: '  .if   1   &&   foo(1)   # c', words: ['.if', '1', '&&', 'foo(1)', ''] },
      { line: '.if foo(1)\t', words: ['.if', 'foo(1)', ''] },
      { line: '.if foo(1)#c', words: ['.if', 'foo(1)'] },
      { line: '.if "" foo(1)', words: ['.if', '', 'foo(1)'] },
      { line: '.if defined(A,b)', words: ['.if', 'defined(A,b)'] },
      { line: '.if streq("a\\tb",x) x', words: ['.if', 'streq(a\tb,x)', 'x'] },
      { line: '.if "\\x01" x', words: ['.if', '\x01', 'x'] },
      { line: '.if "é" x', words: ['.if', 'é', 'x'] },
      { line: `.if ${rep('1 && ', 20)}foo(1)`, words: ['.if', ...`${rep('1 && ', 20)}foo(1)`.split(' ')] },
      { line: `.if foo(1) && ${rep('1 && ', 20)}1`, words: ['.if', ...`foo(1) && ${rep('1 && ', 20)}1`.split(' ')] },
      { line: `.if ${rep('1 && ', 14)}(1`, words: ['.if', ...`${rep('1 && ', 14)}(1`.split(' ')] },
      { line: `.elif ${rep('1 && ', 20)}foo(1)`, words: ['.elif', ...`${rep('1 && ', 20)}foo(1)`.split(' ')] },
      { line: '.elif 1 x', words: ['.elif', '1', 'x'] },
    ];
    for (const [n, t] of lines.entries()) {
      const file = join(dir, `c${n}.cfg`);
      const prefix = t.words[0] === '.elif' ? 'global\n.if 0\n' : 'global\n';
      writeFileSync(file, `${prefix}${t.line}\n.endif\n`);
      const lineNo = prefix.split('\n').length;
      const r = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8', env: TEST_ENV });
      const out = r.stderr.split('\n');
      const at = out.findIndex((l) => l.includes(`parsing [${file}:${lineNo}]: `));
      assert.ok(at >= 0, `no alert for ${t.line}: ${r.stderr}`);
      const res = evalCondition(t.words.slice(1), HAP_ENV);
      assert.ok(!res.ok, t.line);
      const rep2 = conditionErrorReport(t.words[0] as '.if' | '.elif', res);
      const head = out[at]!;
      assert.equal(head.slice(head.indexOf('parsing [')), `parsing [${file}:${lineNo}]: ${rep2.message}`, t.line);
      assert.deepEqual(out.slice(at + 1, at + 3), rep2.detail, t.line);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
