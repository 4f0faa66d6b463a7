// Cookie persistence (`cookie NAME insert|rewrite|prefix …` + server `cookie VAL`), as haproxy
// 2.6.12 behaves on the same configuration (recorded in test/cookie-persistence.test.ts):
//
// Request: the first `NAME=` pair of the Cookie headers names a server by its cookie value
// (prefix mode: `VAL~rest`, the prefix is stripped before the request goes on). A server in
// maintenance or down is not used: the request is balanced and a new cookie is set. With
// `indirect` in insert mode the pair is removed from the request, so the application never
// sees it. maxidle/maxlife dates (`VAL|idle[|first]`, seconds >> 2 in five base64 digits) older
// than the limit invalidate the cookie.
//
// Response: insert mode sets `NAME=VAL; path=/[; domain=D]…[; HttpOnly][; Secure][; attr]…`
// unless the request came to this server through its cookie (and the dates need no refresh),
// and — without `preserve` — drops the server's own cookie of that name; `postonly` inserts
// on POST responses only; `nocache` adds `Cache-Control: private` to a cacheable response it
// inserts into. Rewrite and prefix modes rewrite the server's own Set-Cookie.

import type { Json, ProxyModel } from '../../config/model.js';
import { parseTime } from '../../config/units.js';
import type { RequestHead, ResponseHead } from '../codec/types.js';
import type { HeaderList } from '../codec/headers.js';

export interface PersistServer {
  readonly slot: number;
  readonly name: string;
}

/** What the request phase found, for the response phase. */
export interface CookieState {
  /** Slot of the server the cookie designates and that may take the request, or -1. */
  readonly slot: number;
  /** The cookie's dates (seconds since epoch, 0 when absent). */
  readonly idleDate: number;
  readonly firstDate: number;
}

export interface CookiePersistence {
  /**
   * Read (and, per the mode, rewrite) the request's cookie. `usable(slot)` says whether a
   * server may take a persistent request (up and not in maintenance; draining is fine).
   */
  onRequest(req: RequestHead, servers: readonly PersistServer[], usable: (slot: number) => boolean, now: number): CookieState;
  /** Rewrite the response for the server that answered (null: none). */
  onResponse(state: CookieState, req: RequestHead, res: ResponseHead, server: PersistServer | null, now: number): void;
}

type Mode = 'insert' | 'rewrite' | 'prefix';

interface Settings {
  readonly name: string;
  readonly mode: Mode;
  readonly indirect: boolean;
  readonly nocache: boolean;
  readonly postonly: boolean;
  readonly preserve: boolean;
  /** `; path=/; domain=…; HttpOnly; Secure; attr…`: the attributes of an inserted cookie. */
  readonly attributes: string;
  /** Seconds, 0 when unset. */
  readonly maxidle: number;
  readonly maxlife: number;
}

/** A backend's cookie persistence, or null without a `cookie` line (or outside HTTP mode). */
export function cookiePersistenceOf(p: ProxyModel): CookiePersistence | null {
  const v = p.settings['cookie']?.value;
  if (p.mode !== 'http' || typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, Json>;
  const list = (k: string): string[] => (Array.isArray(o[k]) ? (o[k] as Json[]).map(String) : typeof o[k] === 'string' ? [o[k] as string] : []);
  const seconds = (k: string): number => {
    const t = typeof o[k] === 'string' ? parseTime(o[k] as string, k, 1000) : null;
    return t && t.ok ? Math.floor(t.value / 1000) : 0;
  };
  let attributes = '; path=/';
  for (const d of list('domain')) attributes += `; domain=${d}`;
  if (o['httponly'] === true) attributes += '; HttpOnly';
  if (o['secure'] === true) attributes += '; Secure';
  for (const a of list('attr')) attributes += `; ${a}`;
  const mode: Mode = o['rewrite'] === true ? 'rewrite' : o['prefix'] === true ? 'prefix' : 'insert';
  const cookies = new Map<string, string>();
  for (const s of p.servers) if (typeof s.options['cookie'] === 'string') cookies.set(s.name, s.options['cookie']);
  return persistence(
    {
      name: String(o['name']),
      mode,
      indirect: o['indirect'] === true,
      nocache: o['nocache'] === true,
      postonly: o['postonly'] === true,
      preserve: o['preserve'] === true,
      attributes,
      maxidle: mode === 'insert' ? seconds('maxidle') : 0,
      maxlife: mode === 'insert' ? seconds('maxlife') : 0,
    },
    cookies,
  );
}

function persistence(cfg: Settings, cookieOf: ReadonlyMap<string, string>): CookiePersistence {
  const byValue = new Map<string, string>();
  for (const [server, value] of cookieOf) if (!byValue.has(value)) byValue.set(value, server);
  const NONE: CookieState = { slot: -1, idleDate: 0, firstDate: 0 };
  const dated = cfg.maxidle > 0 || cfg.maxlife > 0;

  return {
    onRequest(req, servers, usable, now) {
      let state = NONE;
      forEachCookieHeader(req.headers, 'cookie', (pairs) => {
        let changed = false;
        for (let i = 0; i < pairs.length; i++) {
          const eq = pairs[i]!.indexOf('=');
          if (eq < 0 || pairs[i]!.slice(0, eq).trim() !== cfg.name) continue;
          const value = pairs[i]!.slice(eq + 1);
          if (cfg.mode === 'prefix') {
            const tilde = value.indexOf('~');
            if (tilde < 0) continue;
            if (state === NONE) state = choose(value.slice(0, tilde), 0, 0);
            pairs[i] = `${cfg.name}=${value.slice(tilde + 1)}`;
            changed = true;
            continue;
          }
          if (state === NONE) {
            const [val, idle, first] = value.split('|') as [string, string | undefined, string | undefined];
            state = choose(val, dated ? decodeDate(idle) : 0, dated ? decodeDate(first) : 0);
          }
          if (cfg.mode === 'insert' && cfg.indirect) {
            pairs.splice(i--, 1);
            changed = true;
          }
        }
        return changed;
      });
      return state;

      function choose(value: string, idle: number, first: number): CookieState {
        if (idle < 0 || first < 0) return NONE;
        // A date more than a day ahead is dropped (the cookie stays valid and gets a new one),
        // so a clock fixed backwards does not throw clients off their server.
        const idleDate = idle > now + 86400 ? 0 : idle;
        const firstDate = first > now + 86400 ? 0 : first;
        if (cfg.maxidle > 0 && idleDate > 0 && idleDate < now - cfg.maxidle) return NONE;
        if (cfg.maxlife > 0 && firstDate > 0 && firstDate < now - cfg.maxlife) return NONE;
        const name = byValue.get(value);
        const srv = name === undefined ? undefined : servers.find((s) => s.name === name);
        return srv && usable(srv.slot) ? { slot: srv.slot, idleDate, firstDate } : NONE;
      }
    },

    onResponse(state, req, res, server, now) {
      const value = server ? cookieOf.get(server.name) : undefined;
      const direct = server !== null && state.slot === server.slot;
      // The server's own cookie of that name.
      let serverSetIt = false;
      const h = res.headers;
      for (let i = h.indexOf('set-cookie'); i >= 0; i = h.indexOf('set-cookie', i + 1)) {
        const sc = h.value(i);
        const eq = sc.indexOf('=');
        if (eq < 0 || sc.slice(0, eq).trim() !== cfg.name) continue;
        serverSetIt = true;
        if (cfg.preserve) continue;
        if (cfg.mode === 'insert' || (cfg.indirect && direct)) {
          h.deleteAt(i--);
        } else if (value !== undefined) {
          const end = sc.indexOf(';', eq);
          const rest = end < 0 ? '' : sc.slice(end);
          h.setValue(i, cfg.mode === 'rewrite' ? `${cfg.name}=${value}${rest}` : `${cfg.name}=${value}~${sc.slice(eq + 1, end < 0 ? sc.length : end)}${rest}`);
        }
      }
      if (cfg.mode !== 'insert' || value === undefined) return;
      if (serverSetIt && cfg.preserve) return;
      if (cfg.postonly && req.method !== 'POST') return;
      // A dated cookie is refreshed whenever its idle date is behind, and a missing first
      // date is set; otherwise a client that came through its cookie needs no new one.
      const refresh = dated && (state.idleDate < now || (cfg.maxlife > 0 && state.firstDate === 0));
      if (direct && !refresh) return;
      let cookie = `${cfg.name}=${value}`;
      if (dated) {
        cookie += `|${encodeDate(now)}`;
        if (cfg.maxlife > 0) cookie += `|${encodeDate(direct && state.firstDate > 0 ? state.firstDate : now)}`;
      }
      h.add('set-cookie', cookie + cfg.attributes);
      if (cfg.nocache && cacheable(req, res)) h.add('cache-control', 'private');
    },
  };
}

/**
 * Call `edit` with the `;`-separated pairs of each header named `name`; when it returns true
 * the header is rewritten from the pairs left (and removed when none is left).
 */
function forEachCookieHeader(h: HeaderList, name: string, edit: (pairs: string[]) => boolean): void {
  for (let i = h.indexOf(name); i >= 0; i = h.indexOf(name, i + 1)) {
    const pairs = h.value(i).split(';').map((p) => p.trimStart());
    if (!edit(pairs)) continue;
    const left = pairs.filter((p) => p !== '');
    if (left.length === 0) h.deleteAt(i--);
    else h.setValue(i, left.join('; '));
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A cookie date: seconds >> 2 in five base64 digits (30 bits, 4-second resolution). */
export function encodeDate(seconds: number): string {
  let v = Math.floor(seconds) >>> 2;
  let s = '';
  for (let i = 0; i < 5; i++) {
    s = B64[v & 63]! + s;
    v >>>= 6;
  }
  return s;
}

/** 0 when absent, -1 when malformed (the cookie is then ignored), else seconds. */
export function decodeDate(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  if (text.length !== 5) return -1;
  let v = 0;
  for (const c of text) {
    const d = B64.indexOf(c);
    if (d < 0) return -1;
    v = v * 64 + d;
  }
  return v * 4;
}

/** Statuses HAProxy lets a cache keep (http_ana.c's list). */
const CACHEABLE_STATUS = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

/**
 * Whether a shared cache could keep this response, as haproxy 2.6.12 judges it for `nocache`:
 * a GET/HEAD, a cacheable status, freshness or validator information (max-age, s-maxage,
 * Expires, Last-Modified, ETag), and nothing forbidding it (Cache-Control private, no-cache,
 * no-store, max-age=0, s-maxage=0; Pragma: no-cache).
 */
export function cacheable(req: RequestHead, res: ResponseHead): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!CACHEABLE_STATUS.has(res.status)) return false;
  const h = res.headers;
  let fresh = h.has('expires') || h.has('last-modified') || h.has('etag');
  for (const v of h.getAll('cache-control')) {
    for (const raw of v.split(',')) {
      const d = raw.trim().toLowerCase();
      if (d === 'private' || d.startsWith('no-cache') || d === 'no-store' || d === 'max-age=0' || d === 's-maxage=0') return false;
      if (d.startsWith('max-age=') || d.startsWith('s-maxage=')) fresh = true;
    }
  }
  for (const v of h.getAll('pragma')) if (/(^|,)\s*no-cache\s*(,|$)/i.test(v)) return false;
  return fresh;
}
