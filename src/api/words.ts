// Splitting one CLI command into words, as HAProxy 2.6's stats socket does: words are separated
// by spaces and tabs, a backslash escapes the next character (`\\` is a backslash, `\ ` a space
// inside a word, `\;` a semicolon), and a last word that is exactly `<<` announces a payload.

/** HAProxy's MAX_CLI_ARGS: words beyond it are ignored. */
const MAX_ARGS = 64;

export interface CommandLine {
  readonly args: readonly string[];
  /** True when the line ended with the `<<` payload marker. */
  readonly hasPayload: boolean;
}

export function splitWords(line: string): CommandLine {
  const args: string[] = [];
  let i = 0;
  while (args.length < MAX_ARGS && i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    if (line.slice(i) === '<<') return { args, hasPayload: true };
    let raw = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] === '\\' && i + 1 < line.length) {
        raw += line[i]! + line[i + 1]!;
        i += 2;
      } else raw += line[i++]!;
    }
    i++;
    // Unescape: a backslash disappears, a doubled one leaves one.
    let word = '';
    for (let k = 0; k < raw.length; k++) {
      if (raw[k] === '\\') {
        if (raw[k + 1] === '\\') k++;
        else continue;
      }
      word += raw[k]!;
    }
    args.push(word);
  }
  return { args, hasPayload: false };
}
