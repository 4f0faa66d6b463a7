// Turning `-f FILE|DIR` arguments into sources, as HAProxy does: a directory contributes its
// non-hidden regular files ending in ".cfg", in byte order; a missing path is an alert.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostics } from './diag.js';
import type { SourceFile } from './parser.js';

/** Largest configuration file we read; a bigger one is refused rather than swallowed. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

export function loadSources(paths: readonly string[], diag: Diagnostics): SourceFile[] {
  const out: SourceFile[] = [];
  const add = (file: string): void => {
    try {
      const st = statSync(file);
      if (st.size > MAX_FILE_BYTES) {
        diag.alert('E_FILE', undefined, `Configuration file ${file} is too large (${st.size} bytes).`);
        return;
      }
      out.push({ name: file, text: readFileSync(file, 'latin1') });
    } catch (e) {
      diag.alert('E_FILE', undefined, `Cannot open configuration file/directory ${file} : ${errnoText(e)}`);
    }
  };
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      diag.alert('E_FILE', undefined, `Cannot open configuration file/directory ${p} : ${errnoText(e)}`);
      continue;
    }
    if (!isDir) {
      add(p);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(p);
    } catch (e) {
      diag.alert('E_FILE', undefined, `Cannot open configuration file/directory ${p} : ${errnoText(e)}`);
      continue;
    }
    names
      .filter((n) => !n.startsWith('.') && n.endsWith('.cfg'))
      .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1))
      .forEach((n) => {
        const full = join(p, n);
        try {
          if (statSync(full).isFile()) add(full);
        } catch (e) {
          diag.alert('E_FILE', undefined, `Cannot open configuration file/directory ${full} : ${errnoText(e)}`);
        }
      });
  }
  return out;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
};

export function errnoText(e: unknown): string {
  const code = (e as { code?: string } | null)?.code ?? '';
  return ERRNO_TEXT[code] ?? (e instanceof Error ? e.message : String(e));
}
