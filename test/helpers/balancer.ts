// The balancer a worker would build for a compiled backend, over a fresh shared server table
// holding the configured state (weights; `disabled` servers in maintenance).

import { ServerTable, SRV, ADMIN_MAINT } from '../../src/ipc/server-table.js';
import { BALANCERS } from '../../src/lb/index.js';
import { LB_SHARED_SLOTS, type Balancer, type LbContext } from '../../src/lb/types.js';
import type { RuntimeBackend } from '../../src/dataplane/compile.js';

export function backendBalancer(be: RuntimeBackend): { balancer: Balancer; table: ServerTable; ctx: LbContext } {
  const table = ServerTable.create(be.servers.length + be.servers[0]!.slot, 1);
  for (const s of be.servers) {
    table.set(s.slot, SRV.UP, 1);
    table.set(s.slot, SRV.ADMIN, s.disabled ? ADMIN_MAINT : 0);
    table.set(s.slot, SRV.WEIGHT, s.weight);
    table.set(s.slot, SRV.WEIGHT_INIT, s.weight);
  }
  const ctx: LbContext = {
    table,
    servers: be.servers.map((s) => ({ slot: s.slot, name: s.name, id: s.id, backup: s.backup })),
    allBackups: be.allBackups,
    shared: new Int32Array(new SharedArrayBuffer(LB_SHARED_SLOTS * 4)),
    random: Math.random,
  };
  return { balancer: BALANCERS.get(be.balance.algorithm)!.factory(ctx, be.balance), table, ctx };
}
