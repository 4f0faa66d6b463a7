// Pattern files (acl -f), map files (map* converters) and reply bodies, read once at compile
// time. Relative names are resolved from the compile's base directory, as HAProxy opens them
// from its working directory (or the one `default-path` selects).
//
// Facts (haproxy 2.6.12): in a pattern file, leading spaces and tabs are skipped, empty lines
// and lines starting with '#' are ignored, and the rest of the line is the pattern (trailing
// spaces included). In a map file the key is the first word and the value the rest of the line
// after the blanks that follow the key, with trailing blanks removed; a key alone has an empty
// value.

import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { errnoText } from '../../config/load.js';
import { RuleCompileError, type CompileCtx } from './context.js';

export function resolvePath(ctx: CompileCtx, name: string): string {
  return isAbsolute(name) ? name : resolve(ctx.baseDir, name);
}

/**
 * What this thread has read, by path, once keepFilesRead() was called: the standby worker
 * reads its files before the chroot (src/process/chroot.ts) and compiles from here once they
 * are out of its reach. Other threads keep nothing (a file that went away is an error there).
 */
let readBefore: Map<string, string> | null = null;

export function keepFilesRead(): void {
  readBefore ??= new Map();
}

/** Read a file as a byte string (latin1), cached per compile. */
export function readText(ctx: CompileCtx, name: string, what: string): string {
  const path = resolvePath(ctx, name);
  const cached = ctx.files.get(path);
  if (cached !== undefined) return cached;
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
    readBefore?.set(path, text);
  } catch (e) {
    const before = readBefore?.get(path);
    if (before === undefined) throw new RuleCompileError(`failed to open ${what} file <${name}> : ${errnoText(e)}.`, ctx.loc);
    text = before;
  }
  ctx.files.set(path, text);
  return text;
}

/** Significant lines: CR/LF removed, leading blanks skipped, comments and empty lines dropped. */
function lines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    let l = raw.replace(/\r.*$/, '');
    l = l.replace(/^[ \t]+/, '');
    if (l === '' || l[0] === '#') continue;
    out.push(l);
  }
  return out;
}

export function readPatternFile(ctx: CompileCtx, name: string): string[] {
  return lines(readText(ctx, name, 'pattern'));
}

export interface MapEntry {
  readonly key: string;
  readonly value: string;
}

export function parseMapText(text: string): MapEntry[] {
  return lines(text).map((l) => {
    const m = /^([^ \t]*)[ \t]*(.*?)[ \t]*$/.exec(l)!;
    return { key: m[1]!, value: m[2]! };
  });
}

export function readMapFile(ctx: CompileCtx, name: string): MapEntry[] {
  return parseMapText(readText(ctx, name, 'map'));
}
