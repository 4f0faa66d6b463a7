// The sessions of one worker thread that hold a connection to each server (HAProxy keeps a
// per-thread list of streams on every server for the same purpose): `on-marked-down
// shutdown-sessions`, `on-marked-up shutdown-backup-sessions` and `shutdown sessions server`
// close them. A session is attached from its connection attempt until it releases the
// server's connection slot, so an HTTP client connection idle between requests is not one.
// This runs twice per HTTP request: sets indexed by slot, kept once made (no map lookup, no
// set allocated again and again for a server with one session at a time).

/** A session connected (or connecting) to a server, which can be ended at once. */
export interface Killable {
  kill(): void;
}

export class ServerSessions {
  private readonly bySlot: (Set<Killable> | undefined)[] = [];

  attach(slot: number, k: Killable): void {
    let set = this.bySlot[slot];
    if (!set) this.bySlot[slot] = set = new Set();
    set.add(k);
  }

  detach(slot: number, k: Killable): void {
    this.bySlot[slot]?.delete(k);
  }

  /** Close every session on `slot`; each detaches itself as it ends (or already has). */
  shutdown(slot: number): void {
    const set = this.bySlot[slot];
    if (!set) return;
    for (const k of [...set]) {
      set.delete(k);
      try {
        k.kill();
      } catch {
        // One session that fails to close must not keep the others open.
      }
    }
  }
}
