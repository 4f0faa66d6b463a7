// What the runtime API remembers about servers and backends beyond the shared server table:
// HAProxy's admin flags (a maintenance set by the configuration and one set by the operator
// are distinct, and `show servers state` prints them apart), when the state last changed, and
// the configuration lines of servers added with `add server`. Main thread only.

import { ADMIN_DRAIN, ADMIN_MAINT, ADMIN_READY, SRV } from '../ipc/server-table.js';
import type { DataPlane } from '../dataplane/runtime.js';
import type { RuntimeBackend, RuntimeServer } from '../dataplane/compile.js';
import type { ServerModel } from '../config/model.js';

/** HAProxy's srv_admin flags (SRV_ADMF_*), as `show servers state` prints them. */
export const ADMF_FMAINT = 0x01;
/** Maintenance inherited from a tracked server. */
export const ADMF_IMAINT = 0x02;
export const ADMF_CMAINT = 0x04;
export const ADMF_FDRAIN = 0x08;
export const ADMF_MAINT = 0x23;
export const ADMF_DRAIN = 0x18;

export interface ServerMeta {
  admin: number;
  /** When the admin state last changed, or (without a checks view) the operational one (ms since epoch). */
  lastChange: number;
  /** Operational state seen last (to date changes nobody reports). */
  lastUp: boolean;
  /**
   * HAProxy's check health of a server without checks: rise, dropped to 0 when the server
   * goes to maintenance, and it stays there (as `show servers state` shows it).
   */
  idleHealth: number;
  /** A server added with `add server`: its line (configured servers are in the model). */
  readonly dynamic?: ServerModel;
}

export interface BackendMeta {
  up: boolean;
  lastChange: number;
  /** Whole-backend outages: count and accumulated time (chkdown, downtime). */
  downs: number;
  downtimeMs: number;
}

export class ApiState {
  private readonly servers = new Map<number, ServerMeta>();
  private readonly backends = new Map<string, BackendMeta>();
  /**
   * Slots of servers that have been tracked at some point: HAProxy marks them non-purgeable
   * for good (SRV_F_NON_PURGEABLE), so `del server` refuses them even after the tracker left.
   */
  readonly tracked = new Set<number>();

  constructor(private readonly dp: DataPlane, readonly startedAt: number) {
    for (const be of dp.runtime.backends.values()) {
      for (const s of be.servers) {
        this.servers.set(s.slot, {
          admin: s.disabled ? ADMF_CMAINT | ADMF_FMAINT : 0,
          lastChange: startedAt,
          lastUp: dp.table.get(s.slot, SRV.UP) === 1,
          idleHealth: s.disabled ? 0 : 2,
        });
      }
      this.backends.set(be.name, { up: true, lastChange: startedAt, downs: 0, downtimeMs: 0 });
    }
  }

  server(slot: number): ServerMeta {
    const m = this.servers.get(slot);
    if (!m) throw new Error(`no server in table slot ${slot}`);
    return m;
  }

  /** `add server`: a new server's admin flags (maintenance unless `enabled`) and its line. */
  addServer(slot: number, admin: number, model: ServerModel): void {
    this.servers.set(slot, { admin, lastChange: Date.now(), lastUp: true, idleHealth: admin & ADMF_MAINT ? 0 : 2, dynamic: model });
  }

  /** `del server`: the slot's server is gone. */
  forgetServer(slot: number): void {
    this.servers.delete(slot);
  }

  /**
   * Date an operational change nobody reported (no checks view): when first seen. The rates
   * sampler looks every second, so the date is right within a second.
   */
  noticeOperational(slot: number): void {
    const m = this.server(slot);
    const up = this.dp.table.get(slot, SRV.UP) === 1;
    if (up !== m.lastUp) {
      m.lastUp = up;
      m.lastChange = Date.now();
    }
  }

  /** Change HAProxy's admin flags of a server and publish the effective admin state. */
  setAdmin(s: RuntimeServer, admin: number): void {
    const m = this.server(s.slot);
    if (m.admin === admin) return;
    const wasMaint = (m.admin & ADMF_MAINT) !== 0;
    m.admin = admin;
    const value = admin & ADMF_MAINT ? ADMIN_MAINT : admin & ADMF_DRAIN ? ADMIN_DRAIN : ADMIN_READY;
    this.dp.table.set(s.slot, SRV.ADMIN, value);
    // Entering or leaving maintenance is an operational change (HAProxy dates both).
    if (wasMaint !== ((admin & ADMF_MAINT) !== 0) || value === ADMIN_DRAIN) m.lastChange = Date.now();
    if (!wasMaint && admin & ADMF_MAINT) m.idleHealth = 0;
  }

  /** A backend's meta, with its up/down history brought up to date. */
  backend(be: RuntimeBackend, upNow: boolean): BackendMeta {
    let m = this.backends.get(be.name);
    if (!m) this.backends.set(be.name, (m = { up: true, lastChange: this.startedAt, downs: 0, downtimeMs: 0 }));
    const now = Date.now();
    if (m.up !== upNow) {
      if (!upNow) m.downs++;
      else m.downtimeMs += now - m.lastChange;
      m.up = upNow;
      m.lastChange = now;
    }
    return m;
  }

  /** Total downtime including a current outage. */
  downtime(m: BackendMeta): number {
    return m.downtimeMs + (m.up ? 0 : Date.now() - m.lastChange);
  }

  clearBackendCounters(): void {
    for (const m of this.backends.values()) {
      m.downs = 0;
      m.downtimeMs = 0;
    }
  }
}
