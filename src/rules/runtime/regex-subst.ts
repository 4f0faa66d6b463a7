// Back-reference expansion of replacement strings (regsub, replace-header/-value/-uri/-path,
// map_regm): "\N" inserts group N (nothing when it did not participate), "\xHH" a byte, "\c"
// the character c itself; a trailing lone backslash makes the replacement fail.

export function expandBackrefs(repl: string, groups: RegExpExecArray | readonly (string | undefined)[]): string | null {
  if (repl.indexOf('\\') < 0) return repl;
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = repl[++i];
    if (n === undefined) return null;
    if (n >= '0' && n <= '9') {
      out += groups[Number(n)] ?? '';
    } else if (n === 'x') {
      const h = repl.slice(i + 1, i + 3);
      if (h.length < 2) return null;
      out += String.fromCharCode(parseInt(h, 16) & 0xff);
      i += 2;
    } else {
      out += n;
    }
  }
  return out;
}
