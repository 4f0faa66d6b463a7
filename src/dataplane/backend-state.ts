// Backend and server state as the rules' fetches see it (nbsrv, srv_is_up, be_conn, queue,
// connslots), read from the shared server table: the same answer on every worker thread.

import type { RuntimeBackend } from './compile.js';
import { SRV, type ServerTable } from '../ipc/server-table.js';
import type { BackendState } from '../rules/runtime/txn.js';

export function backendState(table: ServerTable, backends: ReadonlyMap<string, RuntimeBackend>, stopping?: () => boolean): BackendState {
  const servers = (b: string): RuntimeBackend['servers'] => backends.get(b)?.servers ?? [];
  const sum = (b: string, field: number): number => servers(b).reduce((n, s) => n + table.get(s.slot, field), 0);
  return {
    ...(stopping ? { stopping } : {}),
    usableServers(b) {
      const list = servers(b);
      const active = list.filter((s) => !s.backup && table.usable(s.slot)).length;
      return active > 0 ? active : list.filter((s) => s.backup && table.usable(s.slot)).length;
    },
    serverIsUp(b, name) {
      const s = servers(b).find((x) => x.name === name);
      return s !== undefined && table.usable(s.slot);
    },
    backendConns: (b) => sum(b, SRV.CUR_CONN),
    backendQueue: (b) => sum(b, SRV.QUEUE),
    connSlots(b) {
      // HAProxy: free connection slots plus free queue slots; unlimited servers count as -1.
      let n = 0;
      for (const s of servers(b)) {
        if (!table.usable(s.slot)) continue;
        const max = table.get(s.slot, SRV.MAXCONN);
        if (max === 0) return -1;
        n += Math.max(0, max - table.get(s.slot, SRV.CUR_CONN));
      }
      return n;
    },
  };
}
