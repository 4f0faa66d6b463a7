// The server state machine behind checks and the runtime API: admin transitions (maint,
// drain, ready), tracking and forced health, with the exact messages haproxy 2.6.12 printed
// for the same sequence (`disable server`, `enable server`, `set server ... state`, `set
// server ... health up` on a stats socket, recorded with a tracking backend beside).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend, Check, FMAINT, Server, StateMachine } from '../src/checks/state.js';

function world(): { sm: StateMachine; out: string[]; cleaned: string[]; s: Record<string, Server> } {
  const out: string[] = [];
  const cleaned: string[] = [];
  const sm = new StateMachine({
    warning: (m) => out.push(`[WARNING] ${m}`),
    alert: (m) => out.push(`[ALERT] ${m}`),
    publish: () => undefined,
    sessions: () => 0,
    queue: () => 0,
    warmup: () => undefined,
    shutdownSessions: (list) => out.push(`[SHUTDOWN] ${list.map((x) => x.id).join(' ')}`),
    cleanupIdle: (x) => cleaned.push(x.id),
  });
  const be = new Backend('be', 'backend', true, false);
  const be2 = new Backend('be2', 'backend', true, false);
  const mk = (b: Backend, name: string, slot: number, check: boolean): Server => {
    const s = new Server(b, name, slot, false, 1, 1, 0);
    if (check) s.check = new Check(false, 2, 3, 100, 0, 0);
    b.servers.push(s);
    return s;
  };
  const s1 = mk(be, 's1', 0, true);
  const s2 = mk(be, 's2', 1, true);
  const s3 = mk(be, 's3', 2, false);
  const s4 = mk(be, 's4', 3, true);
  const t1 = mk(be2, 't1', 4, false);
  const t4 = mk(be2, 't4', 5, false);
  t1.track = s1;
  s1.trackers.push(t1);
  t4.track = s4;
  s4.trackers.push(t4);
  // s2 is `disabled` in the configuration.
  s2.curAdmin = s2.nextAdmin = FMAINT;
  s2.curState = s2.nextState = 'stopped';
  s2.check!.health = 0;
  s2.check!.paused = true;
  sm.recount(be);
  sm.recount(be2);
  sm.starting = false;
  return { sm, out, cleaned, s: { s1, s2, s3, s4, t1, t4 } };
}

function fail(sm: StateMachine, s: Server): void {
  sm.setCheckStatus(s, s.check!, 'L4CON', 'Connection refused', 0, 0);
  sm.notify(s, s.check!);
}

test('a running server entering maintenance loses its idle connections (its trackers too); one already DOWN or draining does not', () => {
  const { sm, cleaned, s } = world();
  sm.setAdmin(s['s1']!, 'maint');
  assert.deepEqual(cleaned, ['be/s1', 'be2/t1']);
  cleaned.length = 0;
  sm.setAdmin(s['s1']!, 'ready');
  sm.setAdmin(s['s1']!, 'drain');
  fail(sm, s['s4']!);
  sm.setAdmin(s['s4']!, 'maint');
  assert.deepEqual(cleaned, []);
});

test('admin transitions, tracking and forced health print what haproxy 2.6.12 prints', () => {
  const { sm, out, s } = world();
  const step = (f: () => void, want: string[]): void => {
    out.length = 0;
    f();
    assert.deepEqual(out, want);
  };
  step(() => fail(sm, s['s4']!), [
    '[WARNING] Server be/s4 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    '[WARNING] Server be2/t4 is DOWN via be/s4. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
  ]);
  step(() => sm.setAdmin(s['s1']!, 'maint'), [
    '[WARNING] Server be/s1 is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    '[WARNING] Server be2/t1 is going DOWN for maintenance via be/s1. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    "[ALERT] backend 'be2' has no server available!",
  ]);
  step(() => sm.setAdmin(s['s1']!, 'ready'), ['[WARNING] Server be/s1 is UP/READY (leaving forced maintenance).', '[WARNING] Server be2/t1 is UP/READY (leaving maintenance).']);
  step(() => sm.setAdmin(s['s2']!, 'ready'), ['[WARNING] Server be/s2 is UP/READY (leaving forced maintenance).']);
  step(() => sm.setAdmin(s['s1']!, 'drain'), [
    '[WARNING] Server be/s1 enters drain state. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    '[WARNING] Server be2/t1 enters drain state via be/s1. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    "[ALERT] backend 'be2' has no server available!",
  ]);
  step(() => sm.setAdmin(s['s1']!, 'ready'), ['[WARNING] Server be/s1 is UP (leaving forced drain).', '[WARNING] Server be2/t1 is UP (leaving forced drain).']);
  step(() => sm.setAdmin(s['s3']!, 'maint'), [
    '[WARNING] Server be/s3 is going DOWN for maintenance. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
  ]);
  step(() => sm.setAdmin(s['s3']!, 'ready'), ['[WARNING] Server be/s3 is UP/READY (leaving forced maintenance).']);
  step(() => sm.setAdmin(s['s4']!, 'maint'), ['[WARNING] Server be/s4 was DOWN and now enters maintenance.', '[WARNING] Server be2/t4 was DOWN and now enters maintenance via be/s4.']);
  // Leaving maintenance, the server is UP with its health at `rise`, checked again at once.
  step(() => sm.setAdmin(s['s4']!, 'ready'), ['[WARNING] Server be/s4 is UP/READY (leaving forced maintenance).', '[WARNING] Server be2/t4 is UP/READY (leaving maintenance).']);
  step(() => fail(sm, s['s4']!), [
    '[WARNING] Server be/s4 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 3 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    '[WARNING] Server be2/t4 is DOWN via be/s4. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
  ]);
  step(() => sm.setAdmin(s['s1']!, 'maint'), [
    '[WARNING] Server be/s1 is going DOWN for maintenance. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    '[WARNING] Server be2/t1 is going DOWN for maintenance via be/s1. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    "[ALERT] backend 'be2' has no server available!",
  ]);
  step(() => sm.setAdmin(s['s1']!, 'drain'), [
    '[WARNING] Server be/s1 is UP/DRAIN (leaving forced maintenance).',
    '[WARNING] Server be/s1 remains in forced drain mode.',
    '[WARNING] Server be2/t1 is UP/DRAIN (leaving maintenance).',
    '[WARNING] Server be2/t1 is leaving forced drain but remains in drain mode via be/s1.',
  ]);
  step(() => sm.setAdmin(s['s1']!, 'ready'), ['[WARNING] Server be/s1 is UP (leaving forced drain).', '[WARNING] Server be2/t1 is UP (leaving forced drain).']);
  // Three failures take s1 down (fall 3 from full health), then `set server be/s1 health up`.
  s['s1']!.check!.health = s['s1']!.check!.max;
  fail(sm, s['s1']!);
  fail(sm, s['s1']!);
  out.length = 0;
  fail(sm, s['s1']!);
  assert.equal(out.length, 3);
  s['s1']!.check!.health = s['s1']!.check!.max;
  step(() => sm.setRunning(s['s1']!, 'changed from CLI', null), [
    '[WARNING] Server be/s1 is UP, changed from CLI. 3 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    '[WARNING] Server be2/t1 is UP via be/s1. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
  ]);
});

test('health counter: one failure from the start-up health, fall failures once fully up, rise to come back', () => {
  const { sm, s } = world();
  const s3 = s['s3']!;
  s3.check = new Check(false, 2, 3, 100, 0, 0);
  const ok = (): void => {
    sm.setCheckStatus(s3, s3.check!, 'L4OK', '', 0, 0);
    sm.notify(s3, s3.check!);
  };
  const ko = (): void => fail(sm, s3);
  // Servers start UP with health = rise: the first failure takes them down.
  ko();
  assert.equal(s3.nextState, 'stopped');
  ok();
  assert.equal(s3.nextState, 'stopped');
  ok();
  assert.equal(s3.nextState, 'running');
  assert.equal(s3.check!.health, 4);
  ko();
  ko();
  assert.equal(s3.nextState, 'running');
  ko();
  assert.equal(s3.nextState, 'stopped');
});

test('on-marked-down closes a server\'s sessions when it goes DOWN or into maintenance; on-marked-up closes the backups\' when a primary comes back', () => {
  const { sm, out, s } = world();
  const shut = (): string[] => out.filter((l) => l.startsWith('[SHUTDOWN]'));
  // Without the options, nothing is closed.
  fail(sm, s.s1!);
  fail(sm, s.s1!);
  assert.deepEqual(shut(), []);
  // From the start-up health, one failure marks a server DOWN (see the test above).
  s.s4!.shutdownOnDown = true;
  fail(sm, s.s4!);
  assert.deepEqual(shut(), ['[SHUTDOWN] be/s4']);
  // Maintenance of a running server closes its sessions too (srv_update_status, admin part).
  out.length = 0;
  s.s3!.shutdownOnDown = true;
  sm.setAdmin(s.s3!, 'maint');
  assert.deepEqual(shut(), ['[SHUTDOWN] be/s3']);
  // A server already DOWN entering maintenance has nothing left to close.
  out.length = 0;
  sm.setAdmin(s.s4!, 'maint');
  assert.deepEqual(shut(), []);

  // on-marked-up: a backup server joins be; s3 (primary) leaving maintenance closes it.
  const b = new Server(s.s1!.be, 'bk', 9, true, 1, 1, 0);
  s.s1!.be.servers.push(b);
  s.s3!.shutdownBackupsOnUp = true;
  out.length = 0;
  sm.setAdmin(s.s3!, 'ready');
  assert.deepEqual(shut(), ['[SHUTDOWN] be/bk']);
  // A backup server with the option closes nothing when it comes up.
  b.shutdownBackupsOnUp = true;
  out.length = 0;
  sm.setAdmin(b, 'maint');
  sm.setAdmin(b, 'ready');
  assert.deepEqual(shut(), []);
});
