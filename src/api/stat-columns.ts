// `show stat`'s columns in HAProxy 2.6's order (management.txt §9.1; order, tags and types
// recorded from haproxy 2.6.12's `show stat` and `show stat typed`): one table drives the CSV
// header and rows, the typed form and JSON. Which columns an object fills is decided by the
// row builders (./stat-rows.ts); a column here only names, tags and types the field.

import type { FieldType } from './stat-format.js';

export type StatKind = 'F' | 'B' | 'S';

export interface StatColumn {
  readonly name: string;
  readonly tags: string;
  readonly type: FieldType;
  /** Tags that differ for some object kinds (backend rates are gauges in HAProxy). */
  readonly kindTags?: Partial<Record<StatKind, string>>;
}

function col(name: string, tags: string, type: FieldType, kindTags?: Partial<Record<StatKind, string>>): StatColumn {
  return kindTags ? { name, tags, type, kindTags } : { name, tags, type };
}

/**
 * The `-` column ends HAProxy's static fields; the extra modules' columns (SSL, H2, H1) follow.
 * It is printed in CSV only, and the typed positions after it do not count it.
 */
const MARKER: StatColumn = { name: '-', tags: '', type: 'str' };

export const STAT_COLUMNS: readonly StatColumn[] = [
  col('pxname', 'KNS', 'str'),
  col('svname', 'KNS', 'str'),
  col('qcur', 'MGP', 'u32'),
  col('qmax', 'MMP', 'u32'),
  col('scur', 'MGP', 'u32'),
  col('smax', 'MMP', 'u32'),
  col('slim', 'CLP', 'u32'),
  col('stot', 'MCP', 'u64'),
  col('bin', 'MCP', 'u64'),
  col('bout', 'MCP', 'u64'),
  col('dreq', 'MCP', 'u64'),
  col('dresp', 'MCP', 'u64'),
  col('ereq', 'MCP', 'u64'),
  col('econ', 'MCP', 'u64'),
  col('eresp', 'MCP', 'u64'),
  col('wretr', 'MCP', 'u64'),
  col('wredis', 'MCP', 'u64'),
  col('status', 'SGP', 'str'),
  col('weight', 'MaP', 'u32'),
  col('act', 'SGP', 'u32', { B: 'MGP' }),
  col('bck', 'SGP', 'u32', { B: 'MGP' }),
  col('chkfail', 'MCP', 'u64'),
  col('chkdown', 'MCP', 'u64'),
  col('lastchg', 'MAP', 'u32'),
  col('downtime', 'MCP', 'u32'),
  col('qlimit', 'CGS', 'u32'),
  col('pid', 'KGP', 'u32'),
  col('iid', 'KGS', 'u32'),
  col('sid', 'KGS', 'u32'),
  col('throttle', 'MaP', 'u32'),
  col('lbtot', 'MCP', 'u64'),
  col('tracked', 'CNS', 'str'),
  col('type', 'CGS', 'u32'),
  col('rate', 'MRP', 'u32', { B: 'MGP' }),
  col('rate_lim', 'CLP', 'u32'),
  col('rate_max', 'MMP', 'u32', { B: 'MGP' }),
  col('check_status', 'MOP', 'str'),
  col('check_code', 'MOP', 'u32'),
  col('check_duration', 'MDP', 'u64'),
  col('hrsp_1xx', 'MCP', 'u64'),
  col('hrsp_2xx', 'MCP', 'u64'),
  col('hrsp_3xx', 'MCP', 'u64'),
  col('hrsp_4xx', 'MCP', 'u64'),
  col('hrsp_5xx', 'MCP', 'u64'),
  col('hrsp_other', 'MCP', 'u64'),
  col('hanafail', 'MCP', 'u64'),
  col('req_rate', 'MRP', 'u32'),
  col('req_rate_max', 'MMP', 'u32'),
  col('req_tot', 'MCP', 'u64'),
  col('cli_abrt', 'MCP', 'u64'),
  col('srv_abrt', 'MCP', 'u64'),
  col('comp_in', 'MCP', 'u64'),
  col('comp_out', 'MCP', 'u64'),
  col('comp_byp', 'MCP', 'u64'),
  col('comp_rsp', 'MCP', 'u64'),
  col('lastsess', 'MAP', 's32'),
  col('last_chk', 'MOP', 'str'),
  col('last_agt', 'MOP', 'str'),
  col('qtime', 'MaP', 'u32'),
  col('ctime', 'MaP', 'u32'),
  col('rtime', 'MaP', 'u32'),
  col('ttime', 'MaP', 'u32'),
  col('agent_status', 'MOP', 'str'),
  col('agent_code', 'MOP', 'u32'),
  col('agent_duration', 'MDP', 'u64'),
  col('check_desc', 'MOP', 'str'),
  col('agent_desc', 'MOP', 'str'),
  col('check_rise', 'CGS', 'u32'),
  col('check_fall', 'CGS', 'u32'),
  col('check_health', 'CGS', 'u32'),
  col('agent_rise', 'CGS', 'u32'),
  col('agent_fall', 'CGS', 'u32'),
  col('agent_health', 'CGS', 'u32'),
  col('addr', 'CGS', 'str'),
  col('cookie', 'CNS', 'str'),
  col('mode', 'CGS', 'str'),
  col('algo', 'CGS', 'str'),
  col('conn_rate', 'MRP', 'u32'),
  col('conn_rate_max', 'MMP', 'u32'),
  col('conn_tot', 'MCP', 'u64'),
  col('intercepted', 'MCP', 'u64'),
  col('dcon', 'MCP', 'u64'),
  col('dses', 'MCP', 'u64'),
  col('wrew', 'MCP', 'u64'),
  col('connect', 'MCP', 'u64'),
  col('reuse', 'MCP', 'u64'),
  col('cache_lookups', 'MCP', 'u64'),
  col('cache_hits', 'MCP', 'u64'),
  col('srv_icur', 'MGP', 'u32'),
  col('src_ilim', 'MGP', 'u32'),
  col('qtime_max', 'MMP', 'u32'),
  col('ctime_max', 'MMP', 'u32'),
  col('rtime_max', 'MMP', 'u32'),
  col('ttime_max', 'MMP', 'u32'),
  col('eint', 'MCP', 'u64'),
  col('idle_conn_cur', 'MGP', 'u32'),
  col('safe_conn_cur', 'MGP', 'u32'),
  col('used_conn_cur', 'MGP', 'u32'),
  col('need_conn_est', 'MGP', 'u32'),
  col('uweight', 'MaP', 'u32'),
  col('agg_server_status', 'MGP', 'u32'),
  col('agg_server_check_status', 'MGP', 'u32'),
  col('agg_check_status', 'MGP', 'u32'),
  MARKER,
  col('ssl_sess', 'MCP', 'u64'),
  col('ssl_reused_sess', 'MCP', 'u64'),
  col('ssl_failed_handshake', 'MCP', 'u64'),
  col('h2_headers_rcvd', 'MCP', 'u64'),
  col('h2_data_rcvd', 'MCP', 'u64'),
  col('h2_settings_rcvd', 'MCP', 'u64'),
  col('h2_rst_stream_rcvd', 'MCP', 'u64'),
  col('h2_goaway_rcvd', 'MCP', 'u64'),
  col('h2_detected_conn_protocol_errors', 'MCP', 'u64'),
  col('h2_detected_strm_protocol_errors', 'MCP', 'u64'),
  col('h2_rst_stream_resp', 'MCP', 'u64'),
  col('h2_goaway_resp', 'MCP', 'u64'),
  col('h2_open_connections', 'MGP', 'u64'),
  col('h2_backend_open_streams', 'MGP', 'u64'),
  col('h2_total_connections', 'MCP', 'u64'),
  col('h2_backend_total_streams', 'MCP', 'u64'),
  col('h1_open_connections', 'MGP', 'u64'),
  col('h1_open_streams', 'MGP', 'u64'),
  col('h1_total_connections', 'MCP', 'u64'),
  col('h1_total_streams', 'MCP', 'u64'),
  col('h1_bytes_in', 'MCP', 'u64'),
  col('h1_bytes_out', 'MCP', 'u64'),
  col('h1_spliced_bytes_in', 'MCP', 'u64'),
  col('h1_spliced_bytes_out', 'MCP', 'u64'),
];

export const MARKER_INDEX = STAT_COLUMNS.indexOf(MARKER);

/** The CSV header line, with HAProxy's trailing comma. */
export const CSV_HEADER = `# ${STAT_COLUMNS.map((c) => `${c.name},`).join('')}\n`;
