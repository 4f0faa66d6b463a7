// Balancers, table-driven, over a real shared server table. Several balancer instances over
// the same shared memory stand for several worker threads.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ServerTable, SRV, ADMIN_MAINT } from '../src/ipc/server-table.js';
import { BALANCERS } from '../src/lb/index.js';
import { LB_SHARED, LB_SHARED_SLOTS, type Balancer, type LbContext, type LbServer } from '../src/lb/types.js';
import { addressHash } from '../src/lb/source.js';
import { effectiveWeights, haproxyMap } from '../src/lb/schedule.js';
import { connectWhenUp, freePort } from './helpers/net.js';

interface Setup {
  table: ServerTable;
  servers: LbServer[];
  /** Tell balancers the servers' state changed, as health checks and the CLI do. */
  bump(): void;
  make(alg: string, spec?: Record<string, unknown>, allBackups?: boolean): Balancer;
}

function setup(weights: number[], opts: { backup?: number[]; maxconn?: number[] } = {}): Setup {
  const table = ServerTable.create(weights.length, 2);
  const servers = weights.map((w, i): LbServer => {
    table.set(i, SRV.UP, 1);
    table.set(i, SRV.WEIGHT, w);
    table.set(i, SRV.WEIGHT_INIT, w);
    table.set(i, SRV.MAXCONN, opts.maxconn?.[i] ?? 0);
    return { slot: i, name: `s${i + 1}`, id: i + 1, backup: opts.backup?.includes(i) ?? false };
  });
  const shared = new Int32Array(new SharedArrayBuffer(LB_SHARED_SLOTS * 4));
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  return {
    table,
    servers,
    bump: () => void Atomics.add(shared, LB_SHARED.VERSION, 1),
    make(alg, spec = {}, allBackups = false) {
      const ctx: LbContext = { table, servers, allBackups, shared, random };
      return BALANCERS.get(alg)!.factory(ctx, spec);
    },
  };
}

function tally(picks: number[], n: number): number[] {
  const c = new Array<number>(n).fill(0);
  for (const p of picks) c[p]!++;
  return c;
}

describe('roundrobin and static-rr', () => {
  test('9 connections over 3 equal servers are 3/3/3, across two workers', () => {
    const s = setup([1, 1, 1]);
    const w1 = s.make('roundrobin');
    const w2 = s.make('roundrobin');
    const picks = Array.from({ length: 9 }, (_, i) => (i % 2 ? w2 : w1).select({}));
    assert.deepEqual(tally(picks, 3), [3, 3, 3]);
  });

  test('static-rr weights 100/50 give 20/10 of 30', () => {
    const s = setup([100, 50]);
    const b = s.make('static-rr');
    assert.deepEqual(tally(Array.from({ length: 30 }, () => b.select({})), 2), [20, 10]);
  });

  test('a server in maintenance gets nothing; the others share evenly', () => {
    const s = setup([1, 1, 1]);
    s.table.set(1, SRV.ADMIN, ADMIN_MAINT);
    const b = s.make('roundrobin');
    assert.deepEqual(tally(Array.from({ length: 10 }, () => b.select({})), 3), [5, 0, 5]);
  });

  test('redispatch avoids the failed server', () => {
    const s = setup([1, 1]);
    const b = s.make('roundrobin');
    for (let i = 0; i < 6; i++) assert.equal(b.select({}, 0), 1);
  });
});

describe('backup servers', () => {
  test('backup takes over only when every primary is down; only the first backup without allbackups', () => {
    const s = setup([1, 1, 1, 1], { backup: [2, 3] });
    const b = s.make('roundrobin');
    assert.deepEqual(new Set(Array.from({ length: 6 }, () => b.select({}))), new Set([0, 1]));
    s.table.set(0, SRV.UP, 0);
    s.table.set(1, SRV.UP, 0);
    s.bump();
    assert.deepEqual(new Set(Array.from({ length: 6 }, () => b.select({}))), new Set([2]));
    const all = s.make('roundrobin', {}, true);
    assert.deepEqual(new Set(Array.from({ length: 6 }, () => all.select({}))), new Set([2, 3]));
  });

  test('no usable server at all gives -1', () => {
    const s = setup([1]);
    s.table.set(0, SRV.UP, 0);
    assert.equal(s.make('leastconn').select({}), -1);
  });
});

describe('leastconn, first, random', () => {
  test('leastconn avoids a server pinned by long-lived connections', () => {
    const s = setup([1, 1, 1]);
    s.table.set(0, SRV.CUR_CONN, 50);
    const b = s.make('leastconn');
    const picks: number[] = [];
    for (let i = 0; i < 10; i++) {
      const p = b.select({});
      picks.push(p);
      s.table.add(p, SRV.CUR_CONN, 1);
    }
    assert.equal(tally(picks, 3)[0], 0);
    assert.deepEqual(tally(picks, 3).slice(1), [5, 5]);
  });

  test('first fills servers in id order up to their maxconn', () => {
    const s = setup([1, 1, 1], { maxconn: [2, 2, 2] });
    const b = s.make('first');
    const picks: number[] = [];
    for (let i = 0; i < 5; i++) {
      const p = b.select({});
      picks.push(p);
      assert.ok(s.table.tryAcquire(p));
    }
    assert.deepEqual(picks, [0, 0, 1, 1, 2]);
  });

  test('random never picks an unusable server and spreads load', () => {
    const s = setup([1, 1, 1]);
    s.table.set(2, SRV.UP, 0);
    const b = s.make('random', { draws: 2 });
    const c = tally(Array.from({ length: 200 }, () => b.select({})), 3);
    assert.equal(c[2], 0);
    assert.ok(c[0]! > 0 && c[1]! > 0);
  });
});

describe('source hashing', () => {
  test('the same client always lands on the same server', () => {
    const s = setup([1, 2, 1]);
    const b = s.make('source');
    const src = Uint8Array.from([10, 1, 2, 3]);
    const first = b.select({ src });
    for (let i = 0; i < 20; i++) assert.equal(b.select({ src }), first);
  });

  test('the map gives each server its weight share', () => {
    const map = haproxyMap(effectiveWeights([3, 1, 2]));
    assert.deepEqual(tally(map, 3), [48, 16, 32]);
  });

  const haproxy = '/usr/sbin/haproxy';
  test('picks the server HAProxy 2.6 picks for the same addresses and weights', { skip: !existsSync(haproxy) }, async () => {
    const weights = [5, 3, 7];
    const names = ['s1', 's2', 's3'];
    const servers = await Promise.all(
      names.map(async (n) => {
        // The readiness probe's connection may be reset through haproxy: expected here.
        const srv = net.createServer((c) => {
          c.on('error', () => undefined);
          c.end(n);
        });
        srv.listen(0, '127.0.0.1');
        await once(srv, 'listening');
        return srv;
      }),
    );
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sy-lb-'));
    const cfg = join(dir, 'h.cfg');
    writeFileSync(
      cfg,
      `defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\nlisten l\n bind 127.0.0.1:${port}\n balance source\n` +
        names.map((n, i) => ` server ${n} 127.0.0.1:${(servers[i]!.address() as net.AddressInfo).port} weight ${weights[i]}`).join('\n') +
        '\n',
    );
    const hp = spawn(haproxy, ['-f', cfg, '-db'], { stdio: 'ignore' });
    try {
      const ask = (ip: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const c = net.connect({ port, host: '127.0.0.1', localAddress: ip });
          let d = '';
          c.on('data', (x) => (d += x));
          c.on('end', () => resolve(d));
          c.on('error', reject);
        });
      (await connectWhenUp(port)).destroy();
      const map = haproxyMap(effectiveWeights(weights));
      for (let i = 1; i <= 25; i++) {
        const ip = `127.${i}.${(i * 7) % 256}.${((i * 13) % 250) + 1}`;
        const ours = names[map[addressHash(Uint8Array.from(ip.split('.').map(Number))) % map.length]!];
        assert.equal(ours, await ask(ip), `client ${ip}`);
      }
    } finally {
      hp.kill();
      for (const s of servers) s.close();
    }
  });
});
