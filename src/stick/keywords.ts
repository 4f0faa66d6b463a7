// Stick tables and stickiness rules: `stick-table`, `stick on|match|store-request|
// store-response`. One table per proxy, named after it; store types checked as HAProxy does.

import type { KwContext, SectionKeyword } from '../config/keyword.js';
import type { Json } from '../config/model.js';
import { BE, FE_BE } from '../config/caps.js';
import { pending } from '../config/status.js';
import { parseSize, parseTime } from '../config/units.js';

const STICK = pending('stick-tables');

/** Data types a table can store; the rate ones take a period. */
export const STORE_TYPES: Record<string, 'plain' | 'rate' | 'array' | 'array-rate'> = {
  server_id: 'plain',
  server_key: 'plain',
  server_name: 'plain',
  gpt0: 'plain',
  gpt: 'array',
  gpc0: 'plain',
  gpc1: 'plain',
  gpc: 'array',
  gpc0_rate: 'rate',
  gpc1_rate: 'rate',
  gpc_rate: 'array-rate',
  conn_cnt: 'plain',
  conn_cur: 'plain',
  conn_rate: 'rate',
  sess_cnt: 'plain',
  sess_rate: 'rate',
  http_req_cnt: 'plain',
  http_req_rate: 'rate',
  http_err_cnt: 'plain',
  http_err_rate: 'rate',
  http_fail_cnt: 'plain',
  http_fail_rate: 'rate',
  bytes_in_cnt: 'plain',
  bytes_in_rate: 'rate',
  bytes_out_cnt: 'plain',
  bytes_out_rate: 'rate',
};

function stickTable(ctx: KwContext): Json | undefined {
  const p = ctx.proxy!;
  // One table per proxy: it is named after the proxy.
  // HAProxy stops at the conflict; we also check the rest of the line so one run shows all.
  const prev = p.lists['stick-table']?.[0];
  if (prev) {
    ctx.fail(`stick-table name '${p.name}' conflicts with table declared in ${p.type} '${p.name}' at ${prev.loc.file}:${prev.loc.line}.`, 'E_DUPLICATE');
  }
  const out: Record<string, Json> = { expire: null, nopurge: false, peers: null, store: [] };
  const a = ctx.args;
  for (let i = 0; i < a.length; i++) {
    const w = a[i]!;
    switch (w) {
      case 'type': {
        const t = a[++i];
        if (!t || !['ip', 'ipv6', 'integer', 'string', 'binary'].includes(t)) {
          return ctx.fail(`stick-table: unknown type '${t ?? ''}'.`);
        }
        out['type'] = t;
        if ((t === 'string' || t === 'binary') && a[i + 1] === 'len') {
          const n = Number(a[i + 2]);
          if (!Number.isInteger(n) || n <= 0) return ctx.fail(`stick-table: missing length for key type '${t}'.`);
          out['len'] = n;
          i += 2;
        }
        break;
      }
      case 'size': {
        const r = parseSize(a[++i] ?? '', 'stick-table size');
        if (!r.ok) return ctx.fail(`stick-table: ${r.error}`);
        out['size'] = r.value;
        break;
      }
      case 'expire': {
        const r = parseTime(a[++i] ?? '', 'stick-table expire');
        if (!r.ok) return ctx.fail(`stick-table: ${r.error}`);
        out['expire'] = r.value;
        break;
      }
      case 'nopurge':
        out['nopurge'] = true;
        break;
      case 'peers':
      case 'srvkey':
      case 'write-to':
        if (a[i + 1] === undefined) return ctx.fail(`stick-table: missing argument after '${w}'.`);
        out[w] = a[++i]!;
        break;
      case 'store': {
        const list = a[++i];
        if (list === undefined) return ctx.fail(`stick-table: missing data type after 'store'.`);
        for (const item of list.split(',')) {
          const m = /^([a-z0-9_]+)(?:\((.*)\))?$/.exec(item);
          const kind = m ? STORE_TYPES[m[1]!] : undefined;
          if (!m || !kind) return ctx.fail(`stick-table: unknown store option '${m ? m[1] : item}'.`);
          if ((kind === 'rate' || kind === 'array-rate') && m[2] === undefined) {
            return ctx.fail(`stick-table: missing argument for store option '${m[1]}'.`);
          }
          (out['store'] as Json[]).push(item);
        }
        break;
      }
      default:
        return ctx.fail(`stick-table: unknown argument '${w}'.`);
    }
  }
  if (out['type'] === undefined) return ctx.fail(`stick-table: missing type.`);
  if (out['size'] === undefined) return ctx.fail(`stick-table: missing size.`);
  return prev ? undefined : out;
}

const stickRule = (name: string): SectionKeyword => ({ name, caps: BE, misuse: 'warning', multi: true, status: STICK, minArgs: 1 });

export const STICK_KEYWORDS: readonly SectionKeyword[] = [
  { name: 'stick-table', caps: FE_BE, misuse: 'alert', multi: true, status: STICK, parse: stickTable },
  stickRule('stick on'),
  stickRule('stick match'),
  stickRule('stick store-request'),
  stickRule('stick store-response'),
];
