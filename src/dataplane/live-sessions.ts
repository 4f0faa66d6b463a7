// The client sessions of one worker thread: counted in the shared load table (the main
// thread's accept balancing reads it), waited for by a soft stop, ended by a hard stop, and
// listed by `show sess` / ended by `shutdown session <id>` (HAProxy walks its list of streams
// for both). A session costs a Map entry with its frontend, start time and the backend and
// server its last connection attempt picked; what a row shows about the client is read from
// the session only when an operator asks.

import { SESSION_ID_WORKER, type SessionRow } from '../ipc/messages.js';

/** A live client session: a client socket, or an object standing for a spliced connection. */
export interface LiveEntry {
  destroy(): void;
  /** Sockets carry remoteAddress/remotePort/remoteFamily; other entries say who the client is. */
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly remoteFamily?: string | undefined;
  clientAddress?(): { family: 4 | 6; address: string; port: number } | undefined;
}

/** What the sessions' code needs of the registry. */
export interface LiveRegistry extends Iterable<LiveEntry> {
  /** `fe`: the frontend's name, for `show sess` (the first add of an entry wins). */
  add(v: LiveEntry, fe?: string): void;
  delete(v: LiveEntry): boolean;
  /**
   * The backend and server the session was just given (each connection attempt), and how to
   * end it, server side included (its Connector handle).
   */
  route(v: LiveEntry, be: string, srv: string, kill: { kill(): void }): void;
  readonly size: number;
}

interface Meta {
  readonly id: number;
  readonly fe: string;
  readonly since: number;
  be: string | null;
  srv: string | null;
  /** Ends client and server sides (HAProxy's stream_shutdown); until a server is picked, destroy(). */
  kill: { kill(): void } | null;
}

export class LiveSessions implements LiveRegistry {
  private readonly m = new Map<LiveEntry, Meta>();
  private next = 0;
  private readonly base: number;
  /** Called when the last session ends (soft stop waits on it). */
  onEmpty: (() => void) | undefined;

  constructor(
    private readonly load: Int32Array,
    private readonly index: number,
  ) {
    this.base = (index + 1) * SESSION_ID_WORKER;
    // A replacement worker does not start where its predecessor did: an id an operator
    // copied from an earlier `show sess` must not end an unrelated new session.
    this.next = Math.floor(Math.random() * (SESSION_ID_WORKER / 2));
  }

  add(v: LiveEntry, fe = ''): void {
    if (this.m.has(v)) return;
    Atomics.add(this.load, this.index, 1);
    this.next = (this.next + 1) % SESSION_ID_WORKER || 1;
    this.m.set(v, { id: this.base + this.next, fe, since: Date.now(), be: null, srv: null, kill: null });
  }

  route(v: LiveEntry, be: string, srv: string, kill: { kill(): void }): void {
    const meta = this.m.get(v);
    if (!meta) return;
    meta.be = be;
    meta.srv = srv;
    meta.kill = kill;
  }

  delete(v: LiveEntry): boolean {
    const had = this.m.delete(v);
    if (had) Atomics.sub(this.load, this.index, 1);
    if (had && this.m.size === 0) this.onEmpty?.();
    return had;
  }

  get size(): number {
    return this.m.size;
  }

  [Symbol.iterator](): Iterator<LiveEntry> {
    return this.m.keys();
  }

  /** `show sess`: oldest first. */
  rows(): SessionRow[] {
    const out: SessionRow[] = [];
    for (const [v, meta] of this.m) out.push({ id: meta.id, ...source(v), fe: meta.fe || '?', be: meta.be, srv: meta.srv, since: meta.since });
    return out;
  }

  /** `shutdown session <id>`: false when no session of this worker has that id. */
  kill(id: number): boolean {
    for (const [v, meta] of this.m) {
      if (meta.id !== id) continue;
      // Gone from the list at once (its sockets close now, their 'close' events come later):
      // the same id asked again is no such session.
      this.delete(v);
      if (meta.kill) meta.kill.kill();
      else v.destroy();
      return true;
    }
    return false;
  }
}

/** HAProxy's `proto=` and `src=`: `tcpv4 127.0.0.1:45742`, `tcpv6 ::1:45742` (no brackets). */
function source(v: LiveEntry): { proto: string; src: string } {
  const c = v.clientAddress?.();
  if (c) return { proto: c.family === 6 ? 'tcpv6' : 'tcpv4', src: `${c.address}:${c.port}` };
  const address = v.remoteAddress;
  if (!address) return { proto: 'unix_stream', src: 'unix:1' };
  const mapped = address.startsWith('::ffff:');
  const v6 = v.remoteFamily === 'IPv6' && !mapped;
  return { proto: v6 ? 'tcpv6' : 'tcpv4', src: `${mapped ? address.slice(7) : address}:${v.remotePort ?? 0}` };
}
