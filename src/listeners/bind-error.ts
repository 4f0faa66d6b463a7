// The alert for a listening socket that cannot be bound, as HAProxy 2.6 words it
// (protocol_bind_all / the stats socket alike): "Binding [file:line] for frontend f: ...".
// The owner is "frontend NAME" for a frontend, "proxy NAME" for a listen section (HAProxy's
// proxy_type_str), "frontend GLOBAL" for the stats socket.

import { existsSync } from 'node:fs';
import { dirname } from 'node:path';

export interface BoundAddress {
  readonly kind: 'tcp' | 'unix' | 'fd';
  readonly path: string;
  readonly host: string;
  readonly port: number;
}

export function bindErrorText(owner: string, where: string, a: BoundAddress, reason: string): string {
  if (a.kind === 'unix') return `Binding [${where}] for ${owner}: cannot bind UNIX socket (${reason}) [${a.path}]`;
  return `Binding [${where}] for ${owner}: cannot bind socket (${reason}) for [${a.host}:${a.port}]`;
}

/** strerror() of the errors a bind can give, as HAProxy prints them between parentheses. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EADDRINUSE: 'Address already in use',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EPERM: 'Operation not permitted',
};

/**
 * Why a Node listen() failed, in strerror()'s words. libuv reports a UNIX socket path in a
 * missing directory as EACCES (uv_pipe_bind turns ENOENT into it); bind(2), which HAProxy
 * calls, says ENOENT: `unixPath` lets the real cause be named.
 */
export function bindReason(e: unknown, unixPath?: string): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (code === 'EACCES' && unixPath !== undefined && !existsSync(dirname(unixPath))) return ERRNO_TEXT['ENOENT']!;
  return ERRNO_TEXT[code] ?? (e instanceof Error ? e.message : String(e));
}
