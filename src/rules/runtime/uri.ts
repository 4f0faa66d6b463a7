// Request-target helpers with HAProxy's semantics (http_parse_path and friends):
//  - origin-form "/p?q": the path part is the whole target;
//  - absolute-form "scheme://authority/p?q": scheme and authority are skipped, and a target
//    without anything after the authority has no path ("http://h" -> no path);
//  - "*", "" and authority-form ("host:port", CONNECT) have no path.
// `path` stops before the first '?', `query` is what follows the first '?' of the target.

/** Length of the "scheme://authority" prefix of an absolute-form target, 0 for origin-form,
 * or -1 when the target has no path at all ('*', '', authority-form). */
export function authorityPrefixLength(uri: string): number {
  if (uri === '' || uri === '*') return -1;
  if (uri[0] === '/') return 0;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(uri);
  if (!m) return -1;
  const slash = uri.indexOf('/', m[0].length);
  return slash < 0 ? uri.length : slash;
}

/** Path and query (everything after scheme and authority), or null when there is none. */
export function pathAndQuery(uri: string): string | null {
  const at = authorityPrefixLength(uri);
  if (at < 0 || at >= uri.length) return null;
  return uri.slice(at);
}

/** The path: from the first '/' after scheme+authority to before the '?'. */
export function uriPath(uri: string): string | null {
  const pq = pathAndQuery(uri);
  if (pq === null) return null;
  const q = pq.indexOf('?');
  return q < 0 ? pq : pq.slice(0, q);
}

/** The query string (after the first '?'), '' when the '?' ends the target, null without '?'. */
export function uriQuery(uri: string): string | null {
  const q = uri.indexOf('?');
  return q < 0 ? null : uri.slice(q + 1);
}

/** The authority of an absolute-form target ("h:81" of "http://h:81/p"), else null. */
export function uriAuthority(uri: string): string | null {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/]*)/.exec(uri);
  return m ? m[1]! : null;
}

/** Replace the path (keeping scheme, authority and query); a target without a path gets one. */
export function withPath(uri: string, path: string): string {
  const at = authorityPrefixLength(uri);
  if (at < 0) return path;
  const pq = uri.slice(at);
  const q = pq.indexOf('?');
  return uri.slice(0, at) + path + (q < 0 ? '' : pq.slice(q));
}

/** Replace path and query (keeping scheme and authority). */
export function withPathQuery(uri: string, pathq: string): string {
  const at = authorityPrefixLength(uri);
  return at < 0 ? pathq : uri.slice(0, at) + pathq;
}

/**
 * set-query: replace what follows the first '?'. Without a '?', one is added only when the new
 * value is not empty; an existing '?' is never removed.
 */
export function withQuery(uri: string, query: string): string {
  const q = uri.indexOf('?');
  if (q >= 0) return uri.slice(0, q + 1) + query;
  return query === '' ? uri : `${uri}?${query}`;
}
