// HAProxy's line tokenizer (configuration.txt §2.2–2.3), reproduced from its documented and
// observed behaviour (checked against haproxy 2.6.12):
//  - words split on spaces/tabs; '#' outside quotes starts a comment;
//  - backslash escapes outside single quotes: '\ ' '\#' '\\' '\'' '\"' '\$' literal,
//    '\r' '\n' '\t' control characters, '\xNN' a byte; any other '\c' keeps both characters;
//  - single quotes: nothing interpreted; double quotes: escapes and environment variables;
//  - environment variables only inside double quotes: $NAME, ${NAME}, ${NAME-default},
//    ${NAME[*]} (split into several words), and the pseudo-variables .FILE .LINE .SECTION;
//  - there is NO line continuation: a trailing '\' is a word of its own;
//  - an empty word ends the argument list (HAProxy's arguments are NUL-terminated, so every
//    keyword parser stops at the first empty one). We keep the same words, and report how
//    many were cut so the caller can warn instead of ignoring them silently.

export interface TokenizeContext {
  getenv(name: string): string | undefined;
  readonly file: string;
  readonly line: number;
  /** Name of the current section (or its type when unnamed), '' before the first one. */
  readonly section: string;
  /** Conditions (.if, -cc) keep empty words: HAProxy joins them back with spaces. */
  readonly keepEmpty?: boolean;
  /** -cc: '#' is an ordinary character there. */
  readonly hashIsLiteral?: boolean;
}

export interface TokenError {
  readonly message: string;
  /** 1-based column in the raw line, as HAProxy reports it. */
  readonly position: number;
}

export interface TokenizedLine {
  readonly words: string[];
  /** Words after an empty word, which HAProxy never sees. */
  readonly cut: number;
  readonly error?: TokenError;
}

const isNameStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isNameChar = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const HEX = /^[0-9A-Fa-f]{2}$/;

/** Upper bound on the words of one line: a hostile line cannot allocate without limit. */
export const MAX_WORDS = 4096;

export function tokenizeLine(raw: string, ctx: TokenizeContext): TokenizedLine {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '' | "'" | '"' = '';
  let quoteAt = 0;

  const fail = (message: string, index: number): TokenizedLine => ({
    words: [],
    cut: 0,
    error: { message, position: index + 1 },
  });
  const endWord = (): void => {
    if (!inWord) return;
    words.push(cur);
    cur = '';
    inWord = false;
  };

  let i = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = '';
      else cur += c;
      i++;
      continue;
    }
    if (quote === '' && (c === ' ' || c === '\t')) {
      endWord();
      if (words.length >= MAX_WORDS) return fail('too many words on line', i);
      i++;
      continue;
    }
    if (quote === '' && c === '#' && !ctx.hashIsLiteral) break;
    if (quote === '' && (c === '\r' || c === '\n')) break;
    inWord = true;
    if (c === '\\') {
      const d = raw[i + 1];
      if (d === undefined) {
        cur += '\\';
        i++;
        continue;
      }
      if (d === '\t') {
        // Not an escape in 2.6: the backslash stays and the tab is itself again.
        cur += '\\';
        i++;
      } else if (d === '$' && quote === '') {
        // Outside quotes '\$' stays as is (no variable is expanded there anyway).
        cur += '\\$';
        i += 2;
      } else if (d === ' ' || d === '\\' || d === '#' || d === "'" || d === '"' || d === '$') {
        cur += d;
        i += 2;
      } else if (d === 'r') {
        cur += '\r';
        i += 2;
      } else if (d === 'n') {
        cur += '\n';
        i += 2;
      } else if (d === 't') {
        cur += '\t';
        i += 2;
      } else if (d === 'x') {
        const hex = raw.slice(i + 2, i + 4);
        if (!HEX.test(hex)) return fail('truncated or invalid hexadecimal sequence', i);
        cur += String.fromCharCode(parseInt(hex, 16));
        i += 4;
      } else {
        cur += '\\' + d;
        i += 2;
      }
      continue;
    }
    if (c === "'" && quote === '') {
      quote = "'";
      quoteAt = i;
      i++;
      continue;
    }
    if (c === '"') {
      if (quote === '"') quote = '';
      else {
        quote = '"';
        quoteAt = i;
      }
      i++;
      continue;
    }
    if (c === '$' && quote === '"') {
      const r = expandVar(raw, i, ctx);
      if ('error' in r) return fail(r.error, r.at);
      if (r.split) {
        // ${VAR[*]}: the first part joins the current word, each further part starts a new one.
        const [head, ...rest] = r.split;
        cur += head ?? '';
        for (const part of rest) {
          words.push(cur);
          cur = part;
        }
      } else {
        cur += r.value;
      }
      i = r.next;
      continue;
    }
    cur += c;
    i++;
  }
  if (quote !== '') return fail('unmatched quote', quoteAt);
  endWord();
  const empty = ctx.keepEmpty ? -1 : words.indexOf('');
  if (empty >= 0) return { words: words.slice(0, empty), cut: words.length - empty - 1 };
  return { words, cut: 0 };
}

type VarResult =
  | { value: string; next: number; split?: string[] }
  | { error: string; at: number };

function expandVar(raw: string, at: number, ctx: TokenizeContext): VarResult {
  let i = at + 1;
  const braced = raw[i] === '{';
  if (braced) i++;
  const start = i;
  const first = raw[i] ?? '';
  const pseudo = first === '.';
  if (!pseudo && !isNameStart(first)) return { error: 'forbidden first char in environment variable name', at: i };
  i++;
  while (i < raw.length && isNameChar(raw[i]!)) i++;
  const name = raw.slice(start, i);
  if (pseudo && !['.FILE', '.LINE', '.SECTION'].includes(name)) {
    return { error: 'forbidden first char in environment variable name', at: start };
  }
  let dflt: string | undefined;
  let split = false;
  if (braced) {
    if (raw[i] === '[') {
      if (!raw.startsWith('[*]', i)) return { error: 'truncated or invalid word expansion sequence', at: i };
      split = true;
      i += 3;
    }
    if (raw[i] === '-') {
      const close = raw.indexOf('}', i);
      if (close < 0) return { error: 'unmatched brace in environment variable name', at: start - 1 };
      dflt = raw.slice(i + 1, close);
      i = close;
    }
    if (raw[i] !== '}') return { error: 'unmatched brace in environment variable name', at: start - 1 };
    i++;
  }
  let value = pseudo ? pseudoVar(name, ctx) : ctx.getenv(name);
  if (value === undefined) value = dflt ?? '';
  return split ? { value, next: i, split: value.split(/[ \t]+/).filter((p, n, all) => p !== '' || all.length === 1 || (n > 0 && n < all.length - 1)) } : { value, next: i };
}

function pseudoVar(name: string, ctx: TokenizeContext): string | undefined {
  switch (name) {
    case '.FILE':
      return ctx.file;
    case '.LINE':
      return String(ctx.line);
    case '.SECTION':
      return ctx.section;
    default:
      return undefined;
  }
}

/**
 * HAProxy's multi-line rendering of a tokenizer error: the message with its position, then
 * the line (trimmed, indented by two) and a caret under the offending character.
 */
export function renderTokenError(raw: string, err: TokenError): string[] {
  const lead = raw.length - raw.trimStart().length;
  const shown = raw.trim();
  const caret = Math.max(0, err.position - 1 - lead);
  return [`${err.message} at position ${err.position}:`, `  ${shown}`, `  ${' '.repeat(caret)}^`];
}
