// The configuration line tokenizer (configuration.txt §2.2 quoting/escaping, §2.3 environment
// variables) and the `switchyard` command line run as a real child process.
//
// Every word/error expectation in CASES was checked against the real HAProxy 2.6.12
// (/usr/sbin/haproxy 2.6.12-1+deb12u4) by putting the text on a `.notice <text>` line (one
// word: HAProxy prints it back verbatim; errors: HAProxy prints message and position) or on a
// `.if ? <text>` line (several words: HAProxy prints them joined by one space, empty ones
// included). The 'HAProxy oracle' block replays the table through that binary when it is
// installed, so the table proves itself; it is skipped elsewhere.
//
// Cases marked `todo` are places where src/config/tokenizer.ts does not yet do what HAProxy
// does: they run and report, but do not fail the suite (remove `todo` once fixed).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenizeLine, renderTokenError, type TokenError } from '../src/config/tokenizer.js';

const HAPROXY = '/usr/sbin/haproxy';
const haveHaproxy = existsSync(HAPROXY);

/** The environment both the tokenizer and the real binary see. */
const TEST_ENV: Record<string, string> = {
  V: 'val',
  E: '',
  L1: 'a b',
  L: 'a b  c',
  LT: 'a\tb',
};

interface Case {
  readonly name: string;
  /** The text after the keyword position, i.e. a whole configuration line. */
  readonly line: string;
  /**
   * Every argument HAProxy produces for the line, empty ones included. The tokenizer must
   * return the words before the first empty one, and `cut` = how many words follow it.
   */
  readonly all?: readonly string[];
  readonly error?: TokenError;
  /** Line parsed inside this section (header line written first; .LINE is then 2). */
  readonly section?: { readonly header: string; readonly name: string };
  /** The real 2.6.12 binary differs from the documented behaviour we assert (oracle checks this instead). */
  readonly hap?: { readonly all?: readonly string[]; readonly error?: TokenError; readonly why: string };
  /** A known divergence of src/ from HAProxy: reported, not failing. */
  readonly todo?: string;
}

const CASES: readonly Case[] = [
  // --- splitting on spaces and tabs
  { name: 'three words', line: 'a b c', all: ['a', 'b', 'c'] },
  { name: 'leading/trailing blanks and runs of blanks', line: '   a    b   ', all: ['a', 'b'] },
  { name: 'tabs separate words', line: '\ta\t\tb\t', all: ['a', 'b'] },
  { name: 'mixed tabs and spaces', line: 'a \t b', all: ['a', 'b'] },
  { name: 'empty line', line: '', all: [] },
  { name: 'blank line', line: ' \t ', all: [] },
  // --- comments
  { name: 'whole-line comment', line: '# a b c', all: [] },
  { name: 'indented comment', line: '   # a', all: [] },
  { name: 'comment after words', line: 'a b # c d', all: ['a', 'b'] },
  { name: "'#' inside a word starts a comment", line: 'a#b c', all: ['a'] },
  { name: "'#' inside double quotes", line: '"a#b" # c', all: ['a#b'] },
  { name: "'#' inside single quotes", line: "'a#b'", all: ['a#b'] },
  // --- backslash escapes (outside quotes)
  { name: '\\<space>', line: 'a\\ b c', all: ['a b', 'c'] },
  {
    name: '\\<tab> is not an escape (the backslash stays, the tab separates)',
    line: 'a\\\tb',
    all: ['a\\', 'b'],
  },
  {
    name: '\\<tab> inside double quotes keeps the backslash',
    line: '"a\\\tb"',
    all: ['a\\\tb'],
  },
  { name: '\\#', line: 'a\\#b', all: ['a#b'] },
  { name: '\\\\', line: 'a\\\\b', all: ['a\\b'] },
  { name: "\\'", line: "a\\'b", all: ["a'b"] },
  { name: '\\"', line: 'a\\"b', all: ['a"b'] },
  { name: '\\r', line: 'a\\rb', all: ['a\rb'] },
  { name: '\\n', line: 'a\\nb', all: ['a\nb'] },
  { name: '\\t', line: 'a\\tb', all: ['a\tb'] },
  { name: '\\xNN upper and lower case hex', line: 'a\\x41\\x4a\\x4Ab', all: ['aAJJb'] },
  { name: '\\x20 does not split', line: 'a\\x20b', all: ['a b'] },
  { name: '\\x23 is not a comment', line: 'a\\x23b', all: ['a#b'] },
  { name: 'unknown escape \\q kept as-is', line: 'a\\qb', all: ['a\\qb'] },
  { name: 'trailing lone backslash is a word of its own', line: 'a \\', all: ['a', '\\'] },
  { name: 'trailing backslash ends a word', line: 'a\\', all: ['a\\'] },
  {
    name: '\\$ outside quotes keeps the backslash (only escaped inside double quotes)',
    line: 'a\\$b',
    all: ['a\\$b'],
  },
  // --- single quotes: nothing interpreted
  { name: 'single quotes keep blanks', line: "'a b'\tc", all: ['a b', 'c'] },
  { name: 'single quotes keep $, backslashes and #', line: "'a $V \\\\ \\x41 # b'", all: ['a $V \\\\ \\x41 # b'] },
  { name: 'double quote inside single quotes', line: "'a\"b'", all: ['a"b'] },
  { name: 'quotes concatenate with plain text', line: "'a'\"b\"c", all: ['abc'] },
  // --- double quotes: escapes and variables
  { name: 'double quotes keep blanks', line: '"a b"', all: ['a b'] },
  { name: 'single quote inside double quotes', line: '"a\'b"', all: ["a'b"] },
  { name: '\\\' inside double quotes', line: '"a\\\'b"', all: ["a'b"] },
  { name: '\\# inside double quotes', line: '"a\\#b"', all: ['a#b'] },
  { name: '\\$ inside double quotes', line: '"a\\$b"', all: ['a$b'] },
  { name: '\\<space> inside double quotes', line: '"\\ "', all: [' '] },
  { name: '\\xNN and \\t inside double quotes', line: '"\\x41\\tb"', all: ['A\tb'] },
  { name: '\\q inside double quotes kept as-is', line: '"a\\qb"', all: ['a\\qb'] },
  { name: '\\\\ then a variable', line: '"\\\\$V"', all: ['\\val'] },
  { name: '$VAR', line: '"$V"', all: ['val'] },
  { name: '${VAR} followed by text', line: '"${V}x"', all: ['valx'] },
  { name: 'two variables', line: '"$V$V" "${V}${V}"', all: ['valval', 'valval'] },
  { name: 'name ends at the first non-name char', line: '"$V.x" "$V-x"', all: ['val.x', 'val-x'] },
  { name: 'name includes digits and underscores', line: 'x"$V_1"y', all: ['xy'] },
  { name: 'unset variable is empty', line: 'x"${NOPE}"y', all: ['xy'] },
  { name: 'set-but-empty variable', line: 'x"$E"y', all: ['xy'] },
  { name: '[*] after an unbraced name is text', line: '"$L1[*]"', all: ['a b[*]'] },
  { name: '[*] after the closing brace is text', line: '"${V}[*]"', all: ['val[*]'] },
  // ${VAR-default}: documented in §2.3 (default only for an unset variable, not an empty one),
  // but the 2.6.12 binary rejects every '-' in a braced name.
  {
    name: '${VAR-default} with VAR unset gives the default',
    line: '"${NOPE-def}"',
    all: ['def'],
    hap: { error: { message: 'unmatched brace in environment variable name', position: 3 }, why: '2.6.12 rejects ${NAME-default}' },
  },
  {
    name: '${VAR-default} with VAR set gives the value',
    line: '"${V-def}"',
    all: ['val'],
    hap: { error: { message: 'unmatched brace in environment variable name', position: 3 }, why: '2.6.12 rejects ${NAME-default}' },
  },
  {
    name: '${VAR-default} with VAR set but empty stays empty',
    line: 'x"${E-def}"y',
    all: ['xy'],
    hap: { error: { message: 'unmatched brace in environment variable name', position: 4 }, why: '2.6.12 rejects ${NAME-default}' },
  },
  {
    name: '${VAR-} (empty default)',
    line: 'x"${NOPE-}"y',
    all: ['xy'],
    hap: { error: { message: 'unmatched brace in environment variable name', position: 4 }, why: '2.6.12 rejects ${NAME-default}' },
  },
  {
    name: 'default value may hold blanks',
    line: '"${NOPE-a b}"',
    all: ['a b'],
    hap: { error: { message: 'unmatched brace in environment variable name', position: 3 }, why: '2.6.12 rejects ${NAME-default}' },
  },
  // ${VAR[*]}: one argument per blank-separated value
  { name: '${VAR[*]} splits the value', line: '"${L1[*]}"', all: ['a', 'b'] },
  { name: '${VAR[*]} between other words', line: 'k "${L1[*]}" z', all: ['k', 'a', 'b', 'z'] },
  { name: '${VAR[*]} with a one-word value', line: '"${V[*]}"', all: ['val'] },
  { name: '${VAR[*]} with runs of blanks', line: '"${L[*]}"', all: ['a', 'b', 'c'] },
  { name: '${VAR[*]} with a tab in the value', line: '"${LT[*]}"', all: ['a', 'b'] },
  { name: '${VAR[*]} with text around it', line: '"x${L1[*]}y"', all: ['xa', 'by'] },
  { name: '${VAR[*]} with text after it', line: '"${L1[*]}x"', all: ['a', 'bx'] },
  {
    name: '${VAR[*]} of an empty variable is an empty argument',
    line: 'a "${E[*]}" b',
    all: ['a', '', 'b'],
  },
  // pseudo-variables
  { name: '${.LINE}', line: '"${.LINE}"', all: ['1'] },
  { name: '$.LINE (unbraced)', line: '"$.LINE"', all: ['1'] },
  { name: '${.FILE}', line: '"${.FILE}"', all: ['x.cfg'] },
  { name: '${.SECTION} before any section is empty', line: 'x"${.SECTION}"y', all: ['xy'] },
  {
    name: '${.SECTION} and ${.LINE} in a named section',
    line: '"${.SECTION}:${.LINE}"',
    section: { header: 'frontend fe1', name: 'fe1' },
    all: ['fe1:2'],
  },
  {
    name: '${.SECTION} in an unnamed section is its type',
    line: '"${.SECTION}"',
    section: { header: 'global', name: 'global' },
    all: ['global'],
  },
  {
    name: 'unknown pseudo-variable is an error',
    line: '"${.FOO}"',
    error: { message: 'forbidden first char in environment variable name', position: 4 },
  },
  {
    name: 'unknown unbraced pseudo-variable is an error',
    line: '"$.FOO"',
    error: { message: 'forbidden first char in environment variable name', position: 3 },
  },
  // environment variables are not expanded outside double quotes
  { name: '$VAR unquoted is literal', line: '$V ${V} x$V', all: ['$V', '${V}', 'x$V'] },
  { name: '$VAR in single quotes is literal', line: "'$V' '${V}'", all: ['$V', '${V}'] },
  // an empty word ends the argument list
  { name: 'empty word cuts the line', line: 'a "" b', all: ['a', '', 'b'] },
  { name: 'empty single-quoted word', line: "a '' b c", all: ['a', '', 'b', 'c'] },
  { name: 'empty word first', line: '"" a', all: ['', 'a'] },
  { name: 'empty word last', line: 'a b ""', all: ['a', 'b', ''] },
  { name: 'empty variable as a word', line: 'a "$E" b', all: ['a', '', 'b'] },
  // errors: HAProxy's messages, 1-based position in the raw line
  { name: 'unmatched double quote', line: '"abc', error: { message: 'unmatched quote', position: 1 } },
  { name: 'unmatched single quote', line: "a 'b c", error: { message: 'unmatched quote', position: 3 } },
  { name: 'quote closed then reopened', line: '"a" "b', error: { message: 'unmatched quote', position: 5 } },
  { name: 'digit as first char of a name', line: '"$1"', error: { message: 'forbidden first char in environment variable name', position: 3 } },
  { name: 'lone $ in double quotes', line: '"$"', error: { message: 'forbidden first char in environment variable name', position: 3 } },
  { name: '${ at end of the quotes', line: '"${"', error: { message: 'forbidden first char in environment variable name', position: 4 } },
  { name: '${} (empty name)', line: '"${}"', error: { message: 'forbidden first char in environment variable name', position: 4 } },
  { name: '${ with a blank before the name', line: 'x "${ V}"', error: { message: 'forbidden first char in environment variable name', position: 6 } },
  { name: '${9}', line: '"${9}"', error: { message: 'forbidden first char in environment variable name', position: 4 } },
  { name: 'missing closing brace', line: '"${V"', error: { message: 'unmatched brace in environment variable name', position: 3 } },
  { name: 'missing closing brace after a default', line: '"${V-d"', error: { message: 'unmatched brace in environment variable name', position: 3 } },
  { name: 'text between [*] and the brace', line: '"${V[*]x}"', error: { message: 'unmatched brace in environment variable name', position: 3 } },
  {
    name: 'bad [..] suffix',
    line: '"${V[x]}"',
    error: { message: 'truncated or invalid word expansion sequence', position: 5 },
  },
  { name: 'truncated \\x', line: 'a\\x4', error: { message: 'truncated or invalid hexadecimal sequence', position: 2 } },
  { name: 'invalid \\x digits', line: '"\\xzz"', error: { message: 'truncated or invalid hexadecimal sequence', position: 2 } },
  { name: '\\x at the end of quotes', line: '"a\\x"', error: { message: 'truncated or invalid hexadecimal sequence', position: 3 } },
  { name: 'second \\x of a word is invalid', line: 'k \\x41\\x4g', error: { message: 'truncated or invalid hexadecimal sequence', position: 7 } },
];

function ctxFor(c: Case): { getenv: (n: string) => string | undefined; file: string; line: number; section: string } {
  return {
    getenv: (n) => TEST_ENV[n],
    file: 'x.cfg',
    line: c.section ? 2 : 1,
    section: c.section?.name ?? '',
  };
}

/** What tokenizeLine must return for a case. */
function expected(all: readonly string[] | undefined, error: TokenError | undefined): { words: string[]; cut: number; error?: TokenError } {
  if (error) return { words: [], cut: 0, error };
  const list = [...(all ?? [])];
  const empty = list.indexOf('');
  if (empty < 0) return { words: list, cut: 0 };
  return { words: list.slice(0, empty), cut: list.length - empty - 1 };
}

describe('tokenizeLine', () => {
  for (const c of CASES) {
    it(c.name, c.todo ? { todo: c.todo } : {}, () => {
      const got = tokenizeLine(c.line, ctxFor(c));
      const want = expected(c.all, c.error);
      const shown = { words: got.words, cut: got.cut, ...(got.error ? { error: { ...got.error } } : {}) };
      assert.deepEqual(shown, want, `line: ${JSON.stringify(c.line)}`);
    });
  }

  it('a raw CR or LF outside quotes ends the line', () => {
    assert.deepEqual(tokenizeLine('a b\r', ctxFor({ name: '', line: '' })).words, ['a', 'b']);
    assert.deepEqual(tokenizeLine('a\nb', ctxFor({ name: '', line: '' })).words, ['a']);
  });

  it('the environment is read through ctx.getenv only', () => {
    const asked: string[] = [];
    const r = tokenizeLine('"$A" "${B}" "${C[*]}" $D \'$E\'', {
      getenv: (n) => {
        asked.push(n);
        return 'x';
      },
      file: 'f',
      line: 1,
      section: '',
    });
    assert.deepEqual(r.words, ['x', 'x', 'x', '$D', '$E']);
    assert.deepEqual(asked, ['A', 'B', 'C']);
  });

  it('renderTokenError puts the caret under the position, as HAProxy does', () => {
    const raw = '    .notice "\\x4"';
    const r = tokenizeLine(raw, ctxFor({ name: '', line: '' }));
    assert.deepEqual(r.error, { message: 'truncated or invalid hexadecimal sequence', position: 14 });
    assert.deepEqual(renderTokenError(raw, r.error!), [
      'truncated or invalid hexadecimal sequence at position 14:',
      '  .notice "\\x4"',
      '           ^',
    ]);
  });
});

// ----------------------------------------------------------------------------------------------

/** Run the real binary on `text` (written as x.cfg in a fresh dir); stderr of `haproxy -c`. */
function haproxyCheck(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sy-tok-'));
  try {
    writeFileSync(join(dir, 'x.cfg'), text, 'latin1');
    const r = spawnSync(HAPROXY, ['-c', '-f', 'x.cfg'], { cwd: dir, env: TEST_ENV, encoding: 'latin1' });
    return `${r.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('HAProxy oracle (replays CASES through /usr/sbin/haproxy)', { skip: haveHaproxy ? false : `${HAPROXY} not installed` }, () => {
  for (const c of CASES) {
    const all = c.hap ? c.hap.all : c.all;
    const error = c.hap ? c.hap.error : c.error;
    it(`${c.name}${c.hap ? ` (${c.hap.why})` : ''}`, () => {
      const header = c.section ? `${c.section.header}\n` : '';
      const ln = c.section ? 2 : 1;
      const at = escapeRe(`parsing [x.cfg:${ln}]: `);
      if (error) {
        const prefix = '.notice ';
        const out = haproxyCheck(`${header}${prefix}${c.line}\n`);
        const m = new RegExp(`${at}(.*) at position (\\d+):`).exec(out);
        assert.ok(m, `no tokenizer error from haproxy:\n${out}`);
        assert.deepEqual({ message: m[1], position: Number(m[2]) - prefix.length }, error);
        return;
      }
      assert.ok(all, 'case without words nor error');
      if (all.length === 1) {
        // .notice prints its single argument verbatim (and fails on a second one).
        const out = haproxyCheck(`${header}.notice ${c.line}\n`);
        const m = new RegExp(`\\[NOTICE\\] +\\(\\d+\\) : config : ${at}'([\\s\\S]*?)'\\.\\n`).exec(out);
        assert.ok(m, `no .notice output from haproxy:\n${out}`);
        assert.equal(m[1], all[0]);
      } else {
        // .if joins all its arguments with one space, empty ones included. A blank before the
        // end of the line (or before '#') gives HAProxy one more, harmless, empty argument,
        // shown as a trailing space: trailing spaces are not compared.
        const out = haproxyCheck(`${header}.if ? ${c.line}\n`);
        const m = new RegExp(`${at}unparsable conditional expression '([\\s\\S]*?)' in '\\.if' at position`).exec(out);
        assert.ok(m, `no .if output from haproxy:\n${out}`);
        assert.equal(m[1]!.replace(/ +$/, ''), ['?', ...all].join(' ').replace(/ +$/, ''));
      }
    });
  }
});

// ----------------------------------------------------------------------------------------------

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'switchyard.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('switchyard command line (child process)', { timeout: 60_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sy-cli-'));
  const tiny = join(tmp, 'tiny.cfg');
  // Valid, but no frontend/listen with a bind: HAProxy exits 2 on it.
  writeFileSync(tiny, '# a tiny valid configuration without any listener\nglobal\n');
  const missing = join(tmp, 'does-not-exist.cfg');
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('-v prints the version line', async () => {
    const r = await runCli(['-v']);
    assert.equal(r.code, 0, r.stderr);
    const first = r.stdout.split('\n')[0]!;
    assert.ok(first.startsWith('HAProxy version '), first);
    assert.ok(first.split(' ')[2]!.startsWith('2.6.'), first);
  });

  it('-vv prints exactly four lines: version, TARGET, Feature list, Available services', async () => {
    const r = await runCli(['-vv']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.replace(/\n$/, '').split('\n');
    assert.equal(lines.length, 4, r.stdout);
    assert.ok(lines[0]!.startsWith('HAProxy version '), lines[0]);
    assert.ok(lines[0]!.split(' ')[2]!.startsWith('2.6.'), lines[0]);
    assert.ok(lines[1]!.includes('TARGET'), lines[1]);
    assert.ok(lines[2]!.startsWith('Feature list : '), lines[2]);
    assert.ok(lines[3]!.startsWith('Available services : '), lines[3]);
  });

  it('-c on a valid configuration without a listener exits 2', async () => {
    const r = await runCli(['-c', '-f', tiny]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.ok(
      r.stdout.split('\n').includes('Configuration file has no error but will not start (no listener) => exit(2).'),
      r.stdout,
    );
  });

  it('-c on a valid configuration without a listener: same exit code as haproxy', { skip: !haveHaproxy }, async () => {
    const hap = spawnSync(HAPROXY, ['-c', '-f', tiny], { encoding: 'utf8' });
    const r = await runCli(['-c', '-f', tiny]);
    assert.equal(r.code, hap.status);
    assert.equal(r.stdout, hap.stdout);
  });

  it('-c on a missing file exits 1 with "Cannot open configuration file/directory"', async () => {
    const r = await runCli(['-c', '-f', missing]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`Cannot open configuration file/directory ${missing}`), r.stderr);
  });

  it('an unknown flag exits 1 with the usage', async () => {
    const r = await runCli(['-Z']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Usage : /m);
  });

  for (const [cond, code] of [
    ['1', 0],
    ['0', 1],
    ['foo(', 2],
  ] as const) {
    it(`-cc '${cond}' exits ${code}`, async () => {
      const r = await runCli(['-cc', cond]);
      assert.equal(r.code, code, r.stderr);
    });
  }

  it('-cc error text on stderr', async () => {
    const r = await runCli(['-cc', 'foo(']);
    assert.match(r.stderr, /: config : Failed to evaluate condition: unparsable conditional expression 'foo\('/);
  });

  it('-q -c prints nothing (valid file: exit 2)', async () => {
    const r = await runCli(['-q', '-c', '-f', tiny]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
  });

  it('-q -c prints nothing (missing file: exit 1)', async () => {
    const r = await runCli(['-q', '-c', '-f', missing]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
  });

});
