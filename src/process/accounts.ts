// User and group names to numeric ids, as HAProxy's `user`/`group` resolve them with
// getpwnam(3)/getgrnam(3) while the configuration is parsed. Node has no binding for those,
// so we ask `getent`, which goes through the same NSS sources (files, LDAP, systemd ...);
// where getent is missing we read /etc/passwd and /etc/group, the "files" source alone.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

type Database = 'passwd' | 'group';

const FILES: Record<Database, string> = { passwd: '/etc/passwd', group: '/etc/group' };

/** The uid of user `name`, or undefined when there is no such user. */
export function userId(name: string): number | undefined {
  return lookup('passwd', name);
}

/** The gid of group `name`, or undefined when there is no such group. */
export function groupId(name: string): number | undefined {
  return lookup('group', name);
}

/** One answer per name and process: a config names the same user on many bind lines. */
const cache = new Map<string, number | undefined>();

function lookup(db: Database, name: string): number | undefined {
  const key = `${db}:${name}`;
  if (!cache.has(key)) cache.set(key, resolve(db, name));
  return cache.get(key);
}

function resolve(db: Database, name: string): number | undefined {
  // A name cannot be empty nor hold the separators of the databases' lines.
  if (name === '' || /[:\n]/.test(name)) return undefined;
  const r = spawnSync('getent', [db, '--', name], { encoding: 'utf8', timeout: 10_000 });
  if (r.error === undefined && r.status !== null) {
    // getent answers a numeric key with getpwuid()/getgrgid(); getpwnam() would not, so
    // only an entry carrying exactly this name counts.
    return r.status === 0 ? idFromLines(r.stdout, name) : undefined;
  }
  let text: string;
  try {
    text = readFileSync(FILES[db], 'utf8');
  } catch {
    return undefined;
  }
  return idFromLines(text, name);
}

/** The third field (uid or gid) of the first `name:...` line. */
function idFromLines(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] !== name || f.length < 3) continue;
    const id = Number(f[2]);
    return Number.isInteger(id) && id >= 0 ? id : undefined;
  }
  return undefined;
}
