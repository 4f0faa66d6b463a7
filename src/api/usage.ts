// `help` and the answer to an unknown command, as HAProxy 2.6 builds them: the commands whose
// first words match the line exactly; when some remaining word does not match, the closest
// commands by a character-transition fingerprint of the remaining words (at most 5, none more
// than 2.5 times as far as the best); the list sorted by help line; help/prompt/quit always last.
// (Checked against haproxy 2.6.12. Equally close candidates are kept in registration order,
// which for HAProxy is its link order: ties can pick differently here.)

import type { CliCommand } from './command.js';

/** HAProxy's CLI_PREFIX_KW_NB: keywords have at most 5 words. */
const KW_WORDS = 5;
const MAX_MATCHES = 5;

const ALWAYS =
  '  help [<command>]                        : list matching or all commands\n' +
  '  prompt                                  : toggle interactive mode with prompt\n' +
  '  quit                                    : disconnect\n';

/** Transition counts between character classes (a-z, digit, other), plus class presence. */
function addFingerprint(fp: Uint8Array, word: string): void {
  let from = 28;
  for (const ch of word.toLowerCase()) {
    const c = ch.charCodeAt(0);
    const to = c >= 97 && c <= 122 ? c - 96 : c >= 48 && c <= 57 ? 27 : 28;
    fp[to] = 1;
    fp[32 * from + to] = (fp[32 * from + to]! + 1) & 0xff;
    from = to;
  }
  fp[32 * from + 28] = (fp[32 * from + 28]! + 1) & 0xff;
}

function distance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return d;
}

/** How many leading words of `args` equal the command's (up to `limit`). */
function matching(words: readonly string[], args: readonly string[], limit: number): number {
  let i = 0;
  while (i < limit && i < words.length && i < args.length && args[i] !== '' && words[i] === args[i]) i++;
  return i;
}

export function usageMessage(commands: readonly CliCommand[], line: readonly string[]): string {
  let args = line;
  const isHelp = args[0] === 'help';
  if (isHelp) args = args.slice(1);
  const rows = commands.map((c) => ({ c, words: c.name.split(' ') }));

  let length = 0;
  for (const r of rows) length = Math.max(length, matching(r.words, args, KW_WORDS));

  let text: string;
  if (isHelp) text = 'The following commands are valid at this level:\n';
  else if (length === 0 && !args[0]) text = 'Unknown command. Please enter one of the following commands only:\n';
  else text = 'Unknown command, but maybe one of the following ones is a better match:\n';

  const matches: { c: CliCommand; dist: number }[] = [];
  const rest = args[length];
  if (rest) {
    for (const r of rows) {
      if (matching(r.words, args, length) !== length) continue;
      const mine = new Uint8Array(1024);
      const theirs = new Uint8Array(1024);
      let total = 0;
      for (let i = length; i < KW_WORDS && args[i]; i++) {
        addFingerprint(mine, args[i]!);
        total += args[i]!.length;
      }
      for (let i = length; i < KW_WORDS && r.words[i]; i++) {
        addFingerprint(theirs, r.words[i]!);
        total += r.words[i]!.length;
      }
      const dist = distance(mine, theirs);
      const worst = matches.length < MAX_MATCHES ? Infinity : matches[MAX_MATCHES - 1]!.dist;
      if (dist < Math.trunc((5 * total) / 2) && dist < worst) {
        // Keep the best five, a newcomer after the equally close ones already kept.
        let at = matches.findIndex((m) => m.dist > dist);
        if (at < 0) at = matches.length;
        matches.splice(at, 0, { c: r.c, dist });
        if (matches.length > MAX_MATCHES) matches.pop();
      }
    }
  }

  let listed: CliCommand[];
  if (matches.length > 0) {
    const best = matches[0]!.dist;
    listed = matches.filter((m) => m.dist <= Math.trunc((5 * best) / 2)).map((m) => m.c);
  } else {
    listed = rows.filter((r) => matching(r.words, args, length) === length).map((r) => r.c);
  }
  const lines = listed.map((c) => c.usage).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const l of lines) text += `  ${l}\n`;
  return text + ALWAYS;
}
