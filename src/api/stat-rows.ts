// The objects `show stat` reports — per proxy its FRONTEND, its servers and its BACKEND — and
// the fields each fills, as HAProxy 2.6 fills them (which are empty for which kind and mode was
// recorded from haproxy 2.6.12). Values come from the shared counters; what the data path does
// not count yet reads 0, as HAProxy prints an idle proxy.

import { CNT, SRV } from '../ipc/server-table.js';
import { FC } from '../ipc/conn-gauges.js';
import type { RuntimeBackend, RuntimeFrontend } from '../dataplane/compile.js';
import type { ApiContext } from './context.js';
import { serverFacts, serverUsable, type ServerFacts } from './server-view.js';
import type { StatKind } from './stat-columns.js';
import { BE_COUNTER } from '../lb/types.js';

export type StatValues = Record<string, number | string>;

export interface StatRow {
  readonly kind: StatKind;
  readonly iid: number;
  /** Server id; 0 for frontends and backends. */
  readonly sid: number;
  readonly values: StatValues;
  /** Servers only, for the `up` / `no-maint` filters. */
  readonly facts?: ServerFacts;
}

const EXTRA_SSL = ['ssl_sess', 'ssl_reused_sess', 'ssl_failed_handshake'];
const EXTRA_H2_H1 = [
  'h2_headers_rcvd', 'h2_data_rcvd', 'h2_settings_rcvd', 'h2_rst_stream_rcvd', 'h2_goaway_rcvd', 'h2_detected_conn_protocol_errors',
  'h2_detected_strm_protocol_errors', 'h2_rst_stream_resp', 'h2_goaway_resp', 'h2_open_connections', 'h2_backend_open_streams',
  'h2_total_connections', 'h2_backend_total_streams', 'h1_open_connections', 'h1_open_streams', 'h1_total_connections',
  'h1_total_streams', 'h1_bytes_in', 'h1_bytes_out', 'h1_spliced_bytes_in', 'h1_spliced_bytes_out',
];
const HRSP = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'];
const HRSP_CNT = [CNT.HRSP_1XX, CNT.HRSP_2XX, CNT.HRSP_3XX, CNT.HRSP_4XX, CNT.HRSP_5XX, CNT.HRSP_OTHER];
const HRSP_FC = [FC.HRSP_1XX, FC.HRSP_2XX, FC.HRSP_3XX, FC.HRSP_4XX, FC.HRSP_5XX, FC.HRSP_OTHER];

const zeros = (v: StatValues, names: readonly string[]): void => {
  for (const n of names) v[n] = 0;
};

const secondsSince = (t: number, now: number): number => Math.max(0, Math.floor((now - t) / 1000));

/** HAProxy's names for balance algorithms in `show stat` (2.6 prints `random` as "unknown"). */
function algoName(be: RuntimeBackend): string {
  const a = be.balance.algorithm;
  if (a === 'random') return 'unknown';
  if (a.startsWith('hdr')) return 'hdr';
  return a;
}

function configuredInt(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

export function frontendRow(api: ApiContext, fe: RuntimeFrontend): StatRow {
  const g = api.gauges;
  const i = fe.index;
  const proxy = api.model.proxies.find((p) => p.name === fe.name && p.cap.frontend)!;
  const globalMax = g.globalLimit(api.dp.runtime.globalMaxconn);
  const v: StatValues = {
    pxname: fe.name,
    svname: 'FRONTEND',
    scur: g.frontend(i),
    smax: g.max(i),
    slim: g.frontendLimit(i, fe.maxconn) || globalMax,
    stot: g.counter(i, FC.CONN_TOTAL),
    bin: g.counter(i, FC.BYTES_IN),
    bout: g.counter(i, FC.BYTES_OUT),
    dreq: g.counter(i, FC.DENIED_REQ),
    dresp: g.counter(i, FC.DENIED_RESP),
    ereq: g.counter(i, FC.ERR_REQ),
    status: 'OPEN',
    pid: 1,
    iid: fe.id,
    sid: 0,
    type: 0,
    rate: api.rates.frontends[i]!.rate,
    rate_lim: configuredInt(proxy.settings['rate-limit sessions']?.value),
    rate_max: api.rates.frontends[i]!.max,
    req_rate: api.rates.requests[i]!.rate,
    req_rate_max: api.rates.requests[i]!.max,
    req_tot: g.counter(i, FC.REQ_TOTAL),
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    mode: fe.mode,
    conn_rate: api.rates.frontends[i]!.rate,
    conn_rate_max: api.rates.frontends[i]!.max,
    conn_tot: g.counter(i, FC.CONN_TOTAL),
    dcon: g.counter(i, FC.DENIED_CONN),
    dses: 0,
    wrew: 0,
    eint: 0,
  };
  if (fe.mode === 'http') {
    HRSP.forEach((n, k) => (v[n] = g.counter(i, HRSP_FC[k]!)));
    v['intercepted'] = g.counter(i, FC.INTERCEPTED);
    v['cache_lookups'] = 0;
    v['cache_hits'] = 0;
  }
  zeros(v, EXTRA_SSL);
  zeros(v, EXTRA_H2_H1);
  return { kind: 'F', iid: fe.id, sid: 0, values: v };
}

/**
 * `legends`: HAProxy shows addresses and cookies only to operator and admin sessions
 * (its STAT_SHLGNDS flag).
 */
export function serverRows(api: ApiContext, be: RuntimeBackend, now: number, legends: boolean): StatRow[] {
  const t = api.dp.table;
  const rows: StatRow[] = [];
  for (const s of api.servers(be)) {
    const ref = api.ref(be, s);
    const f = serverFacts(api, ref);
    const opt = ref.config.options;
    const total = (c: number): number => t.total(s.slot, c);
    const host = s.family === 6 ? `[${s.host}]` : s.host;
    const meter = api.rates.servers.get(s.slot)!;
    const view = f.view;
    const v: StatValues = {
      pxname: be.name,
      svname: s.name,
      qcur: t.get(s.slot, SRV.QUEUE),
      qmax: Math.max(t.get(s.slot, SRV.QUEUE_MAX), t.get(s.slot, SRV.QUEUE)),
      scur: t.get(s.slot, SRV.CUR_CONN),
      smax: t.get(s.slot, SRV.MAX_CONN_SEEN),
      stot: total(CNT.CONN_TOTAL),
      bin: total(CNT.BYTES_IN),
      bout: total(CNT.BYTES_OUT),
      dresp: 0,
      econ: total(CNT.CONN_ERR),
      eresp: 0,
      wretr: total(CNT.RETRIES),
      wredis: total(CNT.REDISPATCH),
      status: f.status,
      weight: f.weight,
      act: s.backup ? 0 : 1,
      bck: s.backup ? 1 : 0,
      lastchg: secondsSince(f.lastChange, now),
      pid: 1,
      iid: be.id,
      sid: s.id,
      lbtot: total(CNT.CONN_TOTAL),
      type: 2,
      rate: meter.rate,
      rate_max: meter.max,
      cli_abrt: total(CNT.CLI_ABORT),
      srv_abrt: total(CNT.SRV_ABORT),
      lastsess: meter.age(now),
      qtime: 0,
      ctime: 0,
      rtime: 0,
      ttime: 0,
      mode: be.mode,
      wrew: 0,
      // Attempts that reused a connection are not new connections.
      connect: total(CNT.CONN_TOTAL) - total(CNT.REUSE),
      reuse: total(CNT.REUSE),
      srv_icur: total(CNT.G_IDLE),
      qtime_max: 0,
      ctime_max: 0,
      rtime_max: 0,
      ttime_max: 0,
      eint: 0,
      idle_conn_cur: total(CNT.G_IDLE) - total(CNT.G_SAFE),
      safe_conn_cur: total(CNT.G_SAFE),
      used_conn_cur: t.get(s.slot, SRV.CUR_CONN),
      need_conn_est: total(CNT.G_NEED),
      uweight: f.uweight,
    };
    const maxconn = t.get(s.slot, SRV.MAXCONN);
    // HAProxy prints the limit as unsigned: `set maxconn server … -1` reads 4294967295.
    if (maxconn !== 0) v['slim'] = maxconn >>> 0;
    if (s.idle.maxIdle !== -1) v['src_ilim'] = s.idle.maxIdle >>> 0;
    if (typeof opt['maxqueue'] === 'number' && opt['maxqueue'] > 0) v['qlimit'] = opt['maxqueue'];
    const tracked = view?.tracked ?? (typeof opt['track'] === 'string' ? opt['track'] : null);
    if (tracked) v['tracked'] = tracked;
    if (legends) v['addr'] = `${host}:${s.port}`;
    if (legends && typeof opt['cookie'] === 'string') v['cookie'] = opt['cookie'];
    if (view && f.checkPaused) {
      // Paused by maintenance: HAProxy keeps the counters, not the last result.
      v['chkfail'] = view.failed;
      v['chkdown'] = view.downs;
      v['downtime'] = Math.floor(view.downtimeMs / 1000);
    } else if (view && f.checkEnabled) {
      if (view.hanafail !== null) v['hanafail'] = view.hanafail;
      v['chkfail'] = view.failed;
      v['chkdown'] = view.downs;
      v['downtime'] = Math.floor(view.downtimeMs / 1000);
      v['check_status'] = view.status;
      if (view.code !== null) v['check_code'] = view.code;
      if (view.durationMs !== null) v['check_duration'] = view.durationMs;
      // An `observe` action's result has no duration: haproxy 2.6 prints its -1 as unsigned.
      else if (view.status === 'HANA') v['check_duration'] = '18446744073709551615';
      v['last_chk'] = view.info ?? '';
      v['check_desc'] = view.desc;
      v['check_rise'] = view.rise;
      v['check_fall'] = view.fall;
      v['check_health'] = view.health;
    }
    if (view && f.agentEnabled) {
      const agent = view.agent;
      v['last_agt'] = agent.info ?? '';
      v['agent_status'] = agent.status;
      if (agent.code !== undefined && agent.code !== null) v['agent_code'] = agent.code;
      if (agent.durationMs !== undefined && agent.durationMs !== null) v['agent_duration'] = agent.durationMs;
      v['agent_desc'] = agent.desc;
      v['agent_rise'] = agent.rise ?? 1;
      v['agent_fall'] = agent.fall ?? 1;
      v['agent_health'] = agent.health ?? (f.up ? 1 : 0);
    }
    if (be.mode === 'http') {
      HRSP.forEach((n, k) => (v[n] = total(HRSP_CNT[k]!)));
      v['req_tot'] = total(CNT.REQ_TOTAL);
    }
    zeros(v, EXTRA_SSL);
    rows.push({ kind: 'S', iid: be.id, sid: s.id, values: v, facts: f });
  }
  return rows;
}

/** `fullconn`, or HAProxy's default: a tenth of the maxconn of the frontends that can use the backend. */
function fullconn(api: ApiContext, be: RuntimeBackend): number {
  const set = api.proxy(be.name).settings['fullconn']?.value;
  if (typeof set === 'number') return set;
  const globalMax = api.gauges.globalLimit(api.dp.runtime.globalMaxconn);
  let sum = 0;
  for (const fe of api.frontends()) {
    const p = api.model.proxies.find((x) => x.name === fe.name && x.cap.frontend)!;
    const targets = new Set<string>();
    if (fe.defaultBackend) targets.add(fe.defaultBackend);
    for (const d of p.lists['use_backend'] ?? []) if (typeof d.args[0] === 'string') targets.add(d.args[0]);
    if (targets.has(be.name)) sum += fe.maxconn || globalMax;
  }
  return Math.ceil(sum / 10);
}

/**
 * `filtered`: `show stat up|no-maint` — HAProxy then adds "(servers up/servers)" to the
 * backend's status.
 */
export function backendRow(api: ApiContext, be: RuntimeBackend, servers: readonly StatRow[], now: number, legends: boolean, filtered: boolean): StatRow {
  const sum = (name: string): number => servers.reduce((a, r) => a + Number(r.values[name] ?? 0), 0);
  // Usable servers, their effective and user weights: active ones, and backups.
  const act = { n: 0, w: 0, u: 0 };
  const bck = { n: 0, w: 0, u: 0 };
  for (const r of servers) {
    const f = r.facts!;
    if (!serverUsable(f)) continue;
    const pool = r.values['bck'] === 1 ? bck : act;
    pool.n++;
    pool.w += f.weight;
    pool.u += f.uweight;
  }
  // HAProxy's backend weight is the active servers' total, or the backups' when none is left.
  const used = act.n > 0 ? act : bck;
  const weight = used.w;
  const up = weight > 0 || servers.length === 0;
  const meta = api.state.backend(be, up);
  const meter = api.rates.backends.get(be.name)!;
  const current = api.rates.backendCurrent(be.name);
  const lastsess = servers.reduce((a, r) => {
    const age = Number(r.values['lastsess']);
    return age >= 0 && (a < 0 || age < a) ? age : a;
  }, -1);
  const v: StatValues = {
    pxname: be.name,
    svname: 'BACKEND',
    qcur: 0,
    qmax: 0,
    scur: current,
    smax: api.rates.noteBackend(be.name, current),
    slim: fullconn(api, be),
    // The backend's own counts: a session without a server counts, each retry does not.
    stot: api.dp.backendCounters.get(be.lbOffset, BE_COUNTER.SESSIONS),
    bin: sum('bin'),
    bout: sum('bout'),
    dreq: 0,
    dresp: 0,
    econ: api.dp.backendCounters.get(be.lbOffset, BE_COUNTER.CONN_ERR),
    eresp: 0,
    wretr: sum('wretr'),
    wredis: sum('wredis'),
    status: `${up ? 'UP' : 'DOWN'}${filtered ? ` (${servers.filter((r) => r.facts!.opState !== 0).length}/${servers.length})` : ''}`,
    weight,
    act: act.n,
    bck: bck.n,
    chkdown: meta.downs,
    lastchg: secondsSince(meta.lastChange, now),
    downtime: Math.floor(api.state.downtime(meta) / 1000),
    pid: 1,
    iid: be.id,
    sid: 0,
    lbtot: sum('lbtot'),
    type: 1,
    rate: meter.rate,
    rate_max: meter.max,
    cli_abrt: sum('cli_abrt'),
    srv_abrt: sum('srv_abrt'),
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    lastsess,
    qtime: 0,
    ctime: 0,
    rtime: 0,
    ttime: 0,
    mode: be.mode,
    algo: algoName(be),
    wrew: 0,
    connect: sum('connect'),
    reuse: sum('reuse'),
    qtime_max: 0,
    ctime_max: 0,
    rtime_max: 0,
    ttime_max: 0,
    eint: 0,
    uweight: used.u,
    agg_server_status: 0,
    agg_server_check_status: 0,
    agg_check_status: 0,
  };
  const cookie = api.proxy(be.name).settings['cookie']?.args[0];
  if (legends && cookie) v['cookie'] = cookie;
  if (be.mode === 'http') {
    for (const n of HRSP) v[n] = sum(n);
    v['req_tot'] = sum('req_tot');
    v['cache_lookups'] = 0;
    v['cache_hits'] = 0;
  }
  zeros(v, EXTRA_SSL);
  zeros(v, EXTRA_H2_H1);
  return { kind: 'B', iid: be.id, sid: 0, values: v };
}

/** Every object in HAProxy's order: per proxy, FRONTEND, then servers, then BACKEND. */
export function statRows(api: ApiContext, legends: boolean, filtered: boolean): StatRow[] {
  const now = Date.now();
  const rows: StatRow[] = [];
  for (const p of api.model.proxies) {
    if (p.cap.frontend) {
      const fe = api.frontends().find((f) => f.name === p.name);
      if (fe) rows.push(frontendRow(api, fe));
    }
    if (p.cap.backend) {
      const be = api.backend(p.name);
      if (!be || be.id !== p.id) continue;
      const servers = serverRows(api, be, now, legends);
      rows.push(...servers, backendRow(api, be, servers, now, legends, filtered));
    }
  }
  return rows;
}
