// The sessions of one worker thread that hold a connection to each server (HAProxy keeps a
// per-thread list of streams on every server for the same purpose): `on-marked-down
// shutdown-sessions`, `on-marked-up shutdown-backup-sessions` and `shutdown sessions server`
// close them. A session is attached from its connection attempt until it releases the
// server's connection slot, so an HTTP client connection idle between requests is not one.

/** A session connected (or connecting) to a server, which can be ended at once. */
export interface Killable {
  kill(): void;
}

export class ServerSessions {
  private readonly bySlot = new Map<number, Set<Killable>>();

  attach(slot: number, k: Killable): void {
    let set = this.bySlot.get(slot);
    if (!set) this.bySlot.set(slot, (set = new Set()));
    set.add(k);
  }

  detach(slot: number, k: Killable): void {
    const set = this.bySlot.get(slot);
    if (set?.delete(k) && set.size === 0) this.bySlot.delete(slot);
  }

  /** Close every session on `slot`; each detaches itself as it ends (or already has). */
  shutdown(slot: number): void {
    const set = this.bySlot.get(slot);
    if (!set) return;
    this.bySlot.delete(slot);
    for (const k of set) {
      try {
        k.kill();
      } catch {
        // One session that fails to close must not keep the others open.
      }
    }
  }

  /** How many sessions `slot` holds on this thread. */
  count(slot: number): number {
    return this.bySlot.get(slot)?.size ?? 0;
  }
}
