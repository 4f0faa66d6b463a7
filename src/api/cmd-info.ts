// `show info [typed|json|desc|float]`: the process fields in HAProxy 2.6's order and positions
// (recorded from haproxy 2.6.12; positions 45-46, zlib memory, exist only in zlib builds and
// 51, description, only when set). Values are this process's own: threads, pid, uptime,
// limits, connection counters from the shared gauges, the JavaScript heap as "pools".

import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { loadAddon, loadError } from '../native/addon.js';
import { systemRlimits } from '../process/rlimits.js';
import { RELEASE_DATE, VERSION_WORD } from '../version.js';
import { FC } from '../ipc/conn-gauges.js';
import { CNT } from '../ipc/server-table.js';
import { msg, type CommandImpl, type CliCall } from './command.js';
import type { ApiContext } from './context.js';
import { jsonField, typedValue, type Field, type FieldType } from './stat-format.js';

type InfoValue = number | string | undefined;

interface InfoField {
  readonly pos: number;
  readonly name: string;
  readonly tags: string;
  readonly type: FieldType;
  readonly get: (s: InfoSnapshot) => InfoValue;
}

interface InfoSnapshot {
  readonly api: ApiContext;
  readonly now: number;
  readonly mem: { readonly heapTotal: number; readonly heapUsed: number };
}

/**
 * The open-files limit of this process (HAProxy's Ulimit-n): getrlimit(2) through the addon
 * (a chroot takes /proc away), else /proc.
 */
function openFilesLimit(): number {
  try {
    const soft = systemRlimits(loadAddon(), loadError()).get('nofile')?.soft;
    return soft !== undefined && Number.isFinite(soft) ? soft : 0;
  } catch {
    return 0;
  }
}

/** HAProxy's uptime text: `0d 0h00m52s`. */
export function uptimeText(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

const uptime = (s: InfoSnapshot): number => Math.floor((s.now - s.api.startedAt) / 1000);
const hardMax = (s: InfoSnapshot): number => s.api.dp.runtime.globalMaxconn;
const cumConns = (s: InfoSnapshot): number => s.api.gauges.counter(-1, FC.CONN_TOTAL) + s.api.cliConnections();
const globalSetting = (s: InfoSnapshot, key: string): number => {
  const v = s.api.model.global.settings[key]?.value;
  return typeof v === 'number' ? v : 0;
};
const allServerTotal = (s: InfoSnapshot, field: number): number => {
  let t = 0;
  for (const be of s.api.backends()) for (const srv of be.servers) t += s.api.dp.table.total(srv.slot, field);
  return t;
};
const listeners = (s: InfoSnapshot): number => s.api.frontends().reduce((a, f) => a + f.listeners.length, 0) + s.api.sockets.length;
const zero = (): number => 0;
const mb = (n: number): number => Math.floor(n / 1048576);

const f = (pos: number, name: string, tags: string, type: FieldType, get: (s: InfoSnapshot) => InfoValue): InfoField => ({ pos, name, tags, type, get });

const INFO_FIELDS: readonly InfoField[] = [
  f(0, 'Name', 'POS', 'str', () => 'HAProxy'),
  f(1, 'Version', 'POS', 'str', () => VERSION_WORD),
  f(2, 'Release_date', 'POS', 'str', () => RELEASE_DATE),
  f(3, 'Nbthread', 'CGS', 'u32', (s) => s.api.dp.threads),
  f(4, 'Nbproc', 'CGS', 'u32', () => 1),
  f(5, 'Process_num', 'KGP', 'u32', () => 1),
  f(6, 'Pid', 'SGP', 'u32', (s) => s.api.pid),
  f(7, 'Uptime', 'MDP', 'str', (s) => uptimeText(uptime(s))),
  f(8, 'Uptime_sec', 'MDP', 'u32', uptime),
  f(9, 'Memmax_MB', 'CLP', 'u32', zero),
  // The JavaScript heaps stand for HAProxy's memory pools.
  f(10, 'PoolAlloc_MB', 'MGP', 'u32', (s) => mb(s.mem.heapTotal)),
  f(11, 'PoolUsed_MB', 'MGP', 'u32', (s) => mb(s.mem.heapUsed)),
  f(12, 'PoolFailed', 'MCP', 'u32', zero),
  f(13, 'Ulimit-n', 'CLP', 'u32', openFilesLimit),
  f(14, 'Maxsock', 'CLP', 'u32', openFilesLimit),
  f(15, 'Maxconn', 'CLP', 'u32', (s) => s.api.gauges.globalLimit(hardMax(s))),
  f(16, 'Hard_maxconn', 'CLP', 'u32', hardMax),
  f(17, 'CurrConns', 'MGP', 'u32', (s) => s.api.gauges.global()),
  f(18, 'CumConns', 'MCP', 'u32', cumConns),
  f(19, 'CumReq', 'MCP', 'u32', (s) => Math.max(cumConns(s), s.api.gauges.counter(-1, FC.REQ_TOTAL) + s.api.cliConnections())),
  f(20, 'MaxSslConns', 'MMP', 'u32', zero),
  f(21, 'CurrSslConns', 'MGP', 'u32', zero),
  f(22, 'CumSslConns', 'MCP', 'u32', zero),
  f(23, 'Maxpipes', 'CLP', 'u32', zero),
  f(24, 'PipesUsed', 'MGP', 'u32', zero),
  f(25, 'PipesFree', 'MGP', 'u32', zero),
  f(26, 'ConnRate', 'MRP', 'u32', (s) => s.api.rates.conns.rate),
  f(27, 'ConnRateLimit', 'CLP', 'u32', (s) => globalSetting(s, 'maxconnrate')),
  f(28, 'MaxConnRate', 'MMP', 'u32', (s) => s.api.rates.conns.max),
  f(29, 'SessRate', 'MRP', 'u32', (s) => s.api.rates.conns.rate),
  f(30, 'SessRateLimit', 'CLP', 'u32', (s) => globalSetting(s, 'maxsessrate')),
  f(31, 'MaxSessRate', 'MRP', 'u32', (s) => s.api.rates.conns.max),
  f(32, 'SslRate', 'MRP', 'u32', zero),
  f(33, 'SslRateLimit', 'CLP', 'u32', zero),
  f(34, 'MaxSslRate', 'MMP', 'u32', zero),
  f(35, 'SslFrontendKeyRate', 'MGP', 'u32', zero),
  f(36, 'SslFrontendMaxKeyRate', 'MMP', 'u32', zero),
  f(37, 'SslFrontendSessionReuse_pct', 'MGP', 'u32', zero),
  f(38, 'SslBackendKeyRate', 'MRP', 'u32', zero),
  f(39, 'SslBackendMaxKeyRate', 'MMP', 'u32', zero),
  f(40, 'SslCacheLookups', 'MCP', 'u32', zero),
  f(41, 'SslCacheMisses', 'MCP', 'u32', zero),
  f(42, 'CompressBpsIn', 'MRP', 'u32', zero),
  f(43, 'CompressBpsOut', 'MRP', 'u32', zero),
  f(44, 'CompressBpsRateLim', 'CLP', 'u32', zero),
  f(47, 'Tasks', 'MGP', 'u32', () => process.getActiveResourcesInfo().length),
  f(48, 'Run_queue', 'MGP', 'u32', zero),
  // The control plane's event loop: idle share since the previous look.
  f(49, 'Idle_pct', 'MaP', 'u32', () => idlePct()),
  f(50, 'node', 'COS', 'str', (s) => {
    const n = s.api.model.global.settings['node']?.value;
    return typeof n === 'string' ? n : hostname();
  }),
  f(51, 'description', 'COS', 'str', (s) => {
    const d = s.api.model.global.settings['description']?.value;
    return typeof d === 'string' ? d : undefined;
  }),
  f(52, 'Stopping', 'MGP', 'u32', (s) => (s.api.gauges.stopping() ? 1 : 0)),
  f(53, 'Jobs', 'MGP', 'u32', (s) => listeners(s) + s.api.gauges.global()),
  f(54, 'Unstoppable Jobs', 'MGP', 'u32', zero),
  f(55, 'Listeners', 'MGP', 'u32', listeners),
  f(56, 'ActivePeers', 'MGP', 'u32', zero),
  f(57, 'ConnectedPeers', 'MGP', 'u32', zero),
  f(58, 'DroppedLogs', 'MGP', 'u32', (s) => s.api.gauges.counter(-1, FC.DROPPED_LOGS)),
  f(59, 'BusyPolling', 'MGP', 'u32', zero),
  f(60, 'FailedResolutions', 'MGP', 'u32', zero),
  f(61, 'TotalBytesOut', 'MGP', 'u64', (s) => allServerTotal(s, CNT.BYTES_OUT)),
  f(62, 'TotalSplicdedBytesOut', 'MGP', 'u64', zero),
  f(63, 'BytesOutRate', 'MRP', 'u64', (s) => s.api.rates.bytesOut.rate),
  f(64, 'DebugCommandsIssued', 'MGP', 'u32', zero),
  f(65, 'CumRecvLogs', 'MCP', 'u32', zero),
  f(66, 'Build info', 'POS', 'str', () => VERSION_WORD),
  f(67, 'Memmax_bytes', 'CLP', 'u32', zero),
  f(68, 'PoolAlloc_bytes', 'MGP', 'u64', (s) => s.mem.heapTotal),
  f(69, 'PoolUsed_bytes', 'MGP', 'u64', (s) => s.mem.heapUsed),
  f(70, 'Start_time_sec', 'MDP', 'u32', (s) => Math.floor(s.api.startedAt / 1000)),
  f(71, 'Tainted', 'SGP', 'str', () => '0'),
];

let lastElu = performance.eventLoopUtilization();
function idlePct(): number {
  const now = performance.eventLoopUtilization();
  const d = performance.eventLoopUtilization(now, lastElu);
  lastElu = now;
  return Math.round((1 - d.utilization) * 100);
}

function infoFields(api: ApiContext): Field[] {
  // V8's own figures: process.memoryUsage() also reads the RSS from /proc, gone under a chroot.
  const heap = getHeapStatistics();
  const snap: InfoSnapshot = { api, now: Date.now(), mem: { heapTotal: heap.total_heap_size, heapUsed: heap.used_heap_size } };
  const out: Field[] = [];
  for (const fd of INFO_FIELDS) {
    const value = fd.get(snap);
    if (value !== undefined) out.push({ pos: fd.pos, name: fd.name, tags: fd.tags, type: fd.type, value });
  }
  return out;
}

function showInfo(call: CliCall): string {
  const args = call.args.slice(2);
  const fields = infoFields(call.api);
  if (args.includes('json')) return `[${fields.map((fd) => jsonField(fd, '')).join(',')}]\n`;
  if (args.includes('typed')) return fields.map((fd) => `${fd.pos}.${fd.name}.1:${typedValue(fd)}\n`).join('');
  return fields.map((fd) => `${fd.name}: ${fd.value}\n`).join('');
}

export const INFO_COMMANDS: readonly CommandImpl[] = [
  { name: 'show info', run: showInfo },
  // The version alone, as HAProxy prints its own.
  { name: 'show version', run: () => msg(`${VERSION_WORD}\n`) },
];
