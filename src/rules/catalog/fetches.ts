// Every sample fetch HAProxy 2.6.12 accepts (manual 7.3.2 to 7.3.6, deprecated aliases
// included), as the config checker needs them: argument grammar, output type, where the data
// comes from, default ACL match. Read from `haproxy -dKsmp` (names, argument types, output
// types, per-rule-set availability) and the 2.6 sources (argument validators, messages).
//
// Left out: the developer fetches of 7.3.7 (see DEVELOPER_FETCHES) and device-detection
// fetches (51d/da/wurfl: not built into the reference binary).
//
// HAProxy quirks kept on purpose because haproxy -c 2.6.12 behaves so: bc_src/bc_dst are
// typed sint (so `acl x bc_dst 1.2.3.4` is refused), only sc1_clr_gpc exists (no sc0_/sc2_),
// capture.res.ver reads from the request side, unique-id is usable everywhere.
//
// Argument parsing rules (arg.c make_arg_list), shared with converters (checkArgList below):
//  - `kw` without parentheses parses as no argument when none is mandatory, otherwise as ONE
//    empty argument: fine for str (empty string) and be/fe/tab (the current proxy, resolved
//    later), an error for sint/ipv4/msk4/... ("expected type 'integer' at position 1, but got
//    nothing"), and srv/usr/reg fail later ("missing server name in arg 1 of ...").
//  - `kw()` is one empty argument: str accepts it (hdr() is valid), sint drops it (uuid() is
//    uuid), and a keyword taking no argument accepts `()`.
//  - too many arguments: "expected ')' before ',<rest>'"; too few: "missing arguments (got
//    N/M), type 'T' expected"; empty sint/ip/mask/time/size argument: "expected type 'T' at
//    position P, but got nothing"; unparsable: "failed to parse 'X' as type 'T' at position P".
//  - `validate` reproduces HAProxy's val_args (message after "invalid args in fetch method
//    'kw' : "). HAProxy runs it only when at least one argument was parsed; ours return
//    undefined for an empty list, so they can be called unconditionally.
//  - 'var' arguments are plain strings for the parser (HAProxy declares them so); `validate`
//    checks the name and gives HAProxy's message.

import type { ArgSpec, ArgType, FetchDef, MatchMethod, SampleType, Status } from '../types.js';
import { defaultMatchFor, familiesOf, type Checkpoint, type SmpSource } from '../contexts.js';
import { FETCH_IMPLS } from '../runtime/fetch-table.js';

/** A fetch row plus HAProxy's exact sources, for exact availability checks and messages. */
export interface FetchRow extends FetchDef {
  /** HAProxy's SMP_USE_* sources, in bit order (see ../contexts.ts). */
  readonly src: readonly SmpSource[];
  /** Checkpoints HAProxy allows on top of those of the sources (res.cache_hit/name). */
  readonly alsoAt?: readonly Checkpoint[];
}

// ---------------------------------------------------------------------------------------------
// Argument helpers shared with converters.ts

/** Names HAProxy prints for argument types (arg_type_names[] of the type it declares). */
export const ARG_TYPE_NAMES: Readonly<Record<ArgType, string>> = {
  str: 'string',
  sint: 'integer',
  time: 'delay',
  size: 'size',
  fe: 'frontend',
  be: 'backend',
  tab: 'table',
  srv: 'server',
  usr: 'user list',
  map: 'string',  // map files are declared as strings by HAProxy
  reg: 'regex',
  var: 'string',  // variable names are declared as strings by HAProxy
  msk4: 'IPv4 mask',
  msk6: 'IPv6 mask',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
};

/** Argument types that reject an empty value at parse time. */
const NEEDS_VALUE: ReadonlySet<ArgType> = new Set<ArgType>(['sint', 'time', 'size', 'msk4', 'msk6', 'ipv4', 'ipv6']);

export interface ArgListResult {
  /** The arguments HAProxy keeps (after implicit/empty handling); pass these to `validate`. */
  readonly args: readonly string[];
  /** make_arg_list's message when the list is refused (count or missing values only). */
  readonly error?: string;
  /** With `error`: the N of HAProxy's "invalid arg N in converter 'x' : <error>". */
  readonly errorArg?: number;
}

/**
 * Apply HAProxy's argument-count rules to the comma-split contents of the parentheses
 * (`given` undefined when the keyword has no parentheses, [''] for `()`). Value syntax per
 * type (integers, masks, ...) is left to the caller. The error text for too many arguments
 * is "expected ')' before ',<rest>)'"; in a %[...] the real text also carries what follows
 * the closing parenthesis ("x)]"), which only the caller knows.
 */
export function checkArgList(spec: ArgSpec, given: readonly string[] | undefined): ArgListResult {
  const { types, required } = spec;
  // HAProxy reports "expected ')'" one position back once past the first argument.
  const tooMany = (pos: number, rest: readonly string[], lead: string): ArgListResult => ({
    args: [],
    error: `expected ')' before '${lead}${rest.join(',')})'`,
    errorArg: (pos > 1 ? pos - 1 : pos) + 1,
  });
  if (types.length === 0) {
    if (given === undefined || (given.length === 1 && given[0] === '')) return { args: [] };
    return tooMany(0, given, '');
  }
  let list: readonly string[];
  if (given === undefined) {
    if (required === 0) return { args: [] };
    list = [''];
  } else {
    list = given;
  }
  const kept: string[] = [];
  for (let pos = 0; pos < list.length && pos < types.length; pos++) {
    const type = types[pos]!;
    const value = list[pos]!;
    if (value === '' && NEEDS_VALUE.has(type)) {
      if (pos >= required) {
        // HAProxy stops parsing here; anything after it is "not a closing parenthesis".
        const rest = list.slice(pos + 1);
        if (rest.length > 0) return { ...tooMany(pos, rest, ','), args: kept };
        return { args: kept };
      }
      return {
        args: kept,
        error: `expected type '${ARG_TYPE_NAMES[type]}' at position ${pos + 1}, but got nothing`,
        errorArg: pos + 1,
      };
    }
    kept.push(value);
  }
  if (list.length > types.length) return { ...tooMany(types.length, list.slice(types.length), ','), args: kept };
  if (kept.length < required) {
    return {
      args: kept,
      error: `missing arguments (got ${kept.length}/${required}), type '${ARG_TYPE_NAMES[types[kept.length]!]}' expected`,
      errorArg: kept.length + 1,
    };
  }
  return { args: kept };
}

/** read_int64-style integer: optional sign, then digits (possibly none). */
export function isHaproxyInt(s: string): boolean {
  return /^[+-]?[0-9]*$/.test(s);
}

/**
 * vars_check_arg(): HAProxy's message for a bad variable name, or undefined when valid.
 * Scopes: proc. sess. txn. req. res. check. followed by at least one of [A-Za-z0-9_.].
 */
export function varNameError(name: string): string | undefined {
  if (name.length === 0) return 'Empty variable name cannot be accepted';
  const scopes = ['proc.', 'sess.', 'txn.', 'req.', 'res.', 'check.'];
  const scope = scopes.find((s) => name.length > s.length && name.startsWith(s));
  if (scope === undefined) {
    return `invalid variable name '${name}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'`;
  }
  const rest = name.slice(scope.length);
  const bad = rest.search(/[^A-Za-z0-9_.]/);
  if (bad >= 0) return `invalid syntax at char '${rest.slice(bad)}'`;
  return undefined;
}

const int = (s: string | undefined): number => (s === undefined || s === '' ? 0 : Number.parseInt(s, 10) || 0);

// ---------------------------------------------------------------------------------------------
// Validators (HAProxy's val_args for fetches)

/** hdr(name,occ): occurrence >= -10 (MAX_HDR_HISTORY). */
const vHdrOcc = (args: readonly string[]): string | undefined =>
  args.length >= 2 && args[1] !== '' && int(args[1]) < -10 ? 'header occurrence must be >= -10' : undefined;

/** payload_lv(offset1,length[,offset2]). */
const vPayloadLv = (args: readonly string[]): string | undefined => {
  if (args.length === 0) return undefined;
  const off1 = int(args[0]);
  const len = int(args[1]);
  if (off1 < 0) return 'payload offset1 must be positive';
  if (len === 0) return 'payload length must be > 0';
  const off2 = args[2];
  if (off2 !== undefined && off2 !== '') {
    if (!isHaproxyInt(off2)) return 'payload offset2 is not a number';
    if (off1 + len + int(off2) < 0) return 'payload offset2 too negative';
  }
  return undefined;
};

/** distcc_body/distcc_param(token[,occ]): a 4-character token. */
const vDistcc = (args: readonly string[]): string | undefined =>
  args.length > 0 && Buffer.byteLength(args[0]!) !== 4 ? 'token name must be exactly 4 characters' : undefined;

/** ssl_*_dn(entry,occ,format): format empty or rfc2253. */
const vDnFormat = (args: readonly string[]): string | undefined =>
  args.length >= 3 && args[2] !== '' && args[2] !== 'rfc2253'
    ? 'only rfc2253 or a blank value are currently supported as the format argument.'
    : undefined;

/** fc_rtt/fc_rttvar([unit]): us or ms. */
const vTimeUnitUsMs = (args: readonly string[]): string | undefined =>
  args.length > 0 && args[0] !== 'us' && args[0] !== 'ms' ? `expects 'us' or 'ms', got '${args[0]}'` : undefined;

/**
 * fc_unacked & co: an argument is accepted but ignored, with the WARNING
 * "no argument supported for 'fc_*' sample expressions returning counters." (FC_COUNTER_ARG_WARNING).
 */
const vNoArgCounter = (): string | undefined => undefined;
export const FC_COUNTER_ARG_WARNING = "no argument supported for 'fc_*' sample expressions returning counters.";

/** bin(hex): an even number of hex digits; HAProxy prints "(null)" for an empty string. */
const vConstBin = (args: readonly string[]): string | undefined => {
  if (args.length === 0) return undefined;
  const s = args[0]!;
  if (s.length % 2) return 'an even number of hex digit is expected';
  if (s.length === 0) return '(null)';
  for (let i = 0; i < s.length; i += 2) {
    if (!/[0-9A-Fa-f]/.test(s[i]!)) return `an hex digit is expected (found '${s[i]}')`;
    if (!/[0-9A-Fa-f]/.test(s[i + 1]!)) return `an hex digit is expected (found '${s[i + 1]}')`;
  }
  return undefined;
};

/** bool(value): true/false/1/0, any case. */
const vConstBool = (args: readonly string[]): string | undefined =>
  args.length > 0 && !['true', 'false', '1', '0'].includes(args[0]!.toLowerCase())
    ? "Expects 'true', 'false', '0' or '1'"
    : undefined;

/** meth(name): an HTTP token (RFC 7230 tchar). */
const vConstMeth = (args: readonly string[]): string | undefined =>
  args.length > 0 && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]*$/.test(args[0]!) ? 'expects valid method.' : undefined;

/** date([offset[,unit]]) and http_date: unit s, ms or us. */
const vDateUnit = (args: readonly string[]): string | undefined =>
  args.length >= 2 && !['s', 'ms', 'us'].includes(args[1]!) ? `expects 's', 'ms' or 'us', got '${args[1]}'` : undefined;

/** uuid([version]): only 4. */
const vUuid = (args: readonly string[]): string | undefined =>
  args.length > 0 && int(args[0]) !== 4 ? `Unsupported UUID version: '${int(args[0])}'` : undefined;

/** var(name[,default]). */
const vVarName = (args: readonly string[]): string | undefined => (args.length > 0 ? varNameError(args[0]!) : undefined);

// ---------------------------------------------------------------------------------------------
// Row builders

const NO_ARGS: ArgSpec = { types: [], required: 0 };

function a(required: number, types: readonly ArgType[], validate?: (args: readonly string[]) => string | undefined): ArgSpec {
  return validate ? { types, required, validate } : { types, required };
}

/** Names that are stick-table fetches (pending on the stick-tables work). */
function isStickTableFetch(name: string): boolean {
  if (/^sc[0-2]?_/.test(name)) return true;
  if (name === 'table_avl' || name === 'table_cnt') return true;
  return name.startsWith('src_') && name !== 'src_port' && name !== 'src_is_local';
}

/** Ready exactly when the runtime implements it (src/rules/runtime/fetch-table.ts). */
function statusOf(name: string): Status {
  if (Object.prototype.hasOwnProperty.call(FETCH_IMPLS, name)) return 'ready';
  if (isStickTableFetch(name)) return { pending: 'stick-tables' };
  if (name.startsWith('ssl_')) return { pending: 'tls' };
  return { pending: 'rules' };
}

/**
 * ACL keywords that share a fetch's name and change its default match (see
 * acl-derivatives.ts): in an ACL they win over the fetch of the same name.
 */
const ACL_KEYWORD_MATCH: Readonly<Record<string, MatchMethod>> = {
  method: 'str',      // meth output, but the `method` ACL keyword matches methods as strings
  payload: 'bin',     // ACL keyword `payload` = req.payload -m bin
  payload_lv: 'bin',  // ACL keyword `payload_lv` = req.payload_lv -m bin
};

function f(name: string, out: SampleType, src: readonly SmpSource[], args?: ArgSpec, alsoAt?: readonly Checkpoint[]): FetchRow {
  const match = ACL_KEYWORD_MATCH[name] ?? defaultMatchFor(out);
  const row: FetchRow = {
    name,
    args: args ?? NO_ARGS,
    out,
    use: familiesOf(src),
    ...(match !== undefined ? { match } : {}),
    status: statusOf(name),
    src,
    ...(alsoAt !== undefined ? { alsoAt } : {}),
  };
  return row;
}

/** Fetches of 7.3.7 (developers) that HAProxy accepts but the catalog leaves out. */
export const DEVELOPER_FETCHES: readonly string[] = [
  'internal.htx.data', 'internal.htx.free', 'internal.htx.free_data', 'internal.htx.has_eom',
  'internal.htx.nbblks', 'internal.htx.size', 'internal.htx.used', 'internal.htx_blk.data',
  'internal.htx_blk.hdrname', 'internal.htx_blk.hdrval', 'internal.htx_blk.size',
  'internal.htx_blk.start_line', 'internal.htx_blk.type', 'internal.strm.is_htx',
];

// ---------------------------------------------------------------------------------------------

export const FETCHES: readonly FetchRow[] = [
  // --- constants and process state (7.3.2) [sample.c]
  f('always_false', 'bool', ['const']),
  f('always_true', 'bool', ['const']),
  f('bin', 'bin', ['const'], a(1, ['str'], vConstBin)),
  f('bool', 'bool', ['const'], a(1, ['str'], vConstBool)),
  f('cpu_calls', 'sint', ['intrn']),
  f('cpu_ns_avg', 'sint', ['intrn']),
  f('cpu_ns_tot', 'sint', ['intrn']),
  f('date', 'sint', ['const'], a(0, ['sint', 'str'], vDateUnit)),
  f('date_us', 'sint', ['const']),
  f('env', 'str', ['const'], a(1, ['str'])),
  f('hostname', 'str', ['const']),
  f('int', 'sint', ['const'], a(1, ['sint'])),
  f('ipv4', 'ipv4', ['const'], a(1, ['ipv4'])),
  f('ipv6', 'ipv6', ['const'], a(1, ['ipv6'])),
  f('lat_ns_avg', 'sint', ['intrn']),
  f('lat_ns_tot', 'sint', ['intrn']),
  f('meth', 'meth', ['const'], a(1, ['str'], vConstMeth)),
  f('nbproc', 'sint', ['const']),
  f('proc', 'sint', ['const']),
  f('rand', 'sint', ['const'], a(0, ['sint'])),
  f('stopping', 'bool', ['intrn']),
  f('str', 'str', ['const'], a(1, ['str'])),
  f('thread', 'sint', ['const']),
  f('uuid', 'str', ['const'], a(0, ['sint'], vUuid)),
  // --- backend and server state (7.3.2) [backend.c]
  f('avg_queue', 'sint', ['intrn'], a(1, ['be'])),
  f('be_conn', 'sint', ['intrn'], a(1, ['be'])),
  f('be_conn_free', 'sint', ['intrn'], a(1, ['be'])),
  f('be_id', 'sint', ['bkend']),
  f('be_name', 'str', ['bkend']),
  f('be_server_timeout', 'sint', ['bkend']),
  f('be_sess_rate', 'sint', ['intrn'], a(1, ['be'])),
  f('be_tunnel_timeout', 'sint', ['bkend']),
  f('connslots', 'sint', ['intrn'], a(1, ['be'])),
  f('nbsrv', 'sint', ['intrn'], a(1, ['be'])),
  f('queue', 'sint', ['intrn'], a(1, ['be'])),
  f('srv_conn', 'sint', ['intrn'], a(1, ['srv'])),
  f('srv_conn_free', 'sint', ['intrn'], a(1, ['srv'])),
  f('srv_id', 'sint', ['servr']),
  f('srv_is_up', 'bool', ['intrn'], a(1, ['srv'])),
  f('srv_iweight', 'sint', ['intrn'], a(1, ['srv'])),
  f('srv_name', 'str', ['servr']),
  f('srv_queue', 'sint', ['intrn'], a(1, ['srv'])),
  f('srv_sess_rate', 'sint', ['intrn'], a(1, ['srv'])),
  f('srv_uweight', 'sint', ['intrn'], a(1, ['srv'])),
  f('srv_weight', 'sint', ['intrn'], a(1, ['srv'])),
  // --- HTTP, layer 7 (7.3.6) [http_fetch.c]
  f('base', 'str', ['hrqhv']),
  f('base32', 'sint', ['hrqhv']),
  f('base32+src', 'bin', ['hrqhv']),
  f('baseq', 'str', ['hrqhv']),
  f('capture.req.hdr', 'str', ['hrqhp'], a(1, ['sint'])),
  f('capture.req.method', 'str', ['hrqhp']),
  f('capture.req.uri', 'str', ['hrqhp']),
  f('capture.req.ver', 'str', ['hrqhp']),
  f('capture.res.hdr', 'str', ['hrshp'], a(1, ['sint'])),
  f('capture.res.ver', 'str', ['hrqhp']),
  f('cook', 'str', ['hrqhv'], a(0, ['str'])),
  f('cook_cnt', 'sint', ['hrqhv'], a(0, ['str'])),
  f('cook_val', 'sint', ['hrqhv'], a(0, ['str'])),
  f('cookie', 'str', ['hrqhv', 'hrshv'], a(0, ['str'])),
  f('hdr', 'str', ['hrqhv', 'hrshv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('hdr_cnt', 'sint', ['hrqhv'], a(0, ['str'])),
  f('hdr_ip', 'ipv4', ['hrqhv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('hdr_val', 'sint', ['hrqhv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('http_auth', 'bool', ['hrqhv'], a(1, ['usr'])),
  f('http_auth_bearer', 'str', ['hrqhv'], a(0, ['str'])),
  f('http_auth_group', 'str', ['hrqhv'], a(1, ['usr'])),
  f('http_auth_pass', 'str', ['hrqhv']),
  f('http_auth_type', 'str', ['hrqhv']),
  f('http_auth_user', 'str', ['hrqhv']),
  f('http_first_req', 'bool', ['hrqhp']),
  f('method', 'meth', ['hrqhp']),
  f('path', 'str', ['hrqhv']),
  f('pathq', 'str', ['hrqhv']),
  f('query', 'str', ['hrqhv']),
  f('req.body', 'bin', ['hrqhv']),
  f('req.body_len', 'sint', ['hrqhv']),
  f('req.body_param', 'bin', ['hrqhv'], a(0, ['str'])),
  f('req.body_size', 'sint', ['hrqhv']),
  f('req.cook', 'str', ['hrqhv'], a(0, ['str'])),
  f('req.cook_cnt', 'sint', ['hrqhv'], a(0, ['str'])),
  f('req.cook_val', 'sint', ['hrqhv'], a(0, ['str'])),
  f('req.fhdr', 'str', ['hrqhv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('req.fhdr_cnt', 'sint', ['hrqhv'], a(0, ['str'])),
  f('req.hdr', 'str', ['hrqhv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('req.hdr_cnt', 'sint', ['hrqhv'], a(0, ['str'])),
  f('req.hdr_ip', 'ipv4', ['hrqhv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('req.hdr_names', 'str', ['hrqhv'], a(0, ['str'])),
  f('req.hdr_val', 'sint', ['hrqhv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('req.hdrs', 'bin', ['hrqhv']),
  f('req.hdrs_bin', 'bin', ['hrqhv']),
  f('req.proto_http', 'bool', ['hrqhp']),
  f('req.ver', 'str', ['hrqhv']),
  f('req_proto_http', 'bool', ['hrqhp']),
  f('req_ver', 'str', ['hrqhv']),
  f('res.body', 'bin', ['hrshv']),
  f('res.body_len', 'sint', ['hrshv']),
  f('res.body_size', 'sint', ['hrshv']),
  f('res.cook', 'str', ['hrshv'], a(0, ['str'])),
  f('res.cook_cnt', 'sint', ['hrshv'], a(0, ['str'])),
  f('res.cook_val', 'sint', ['hrshv'], a(0, ['str'])),
  f('res.fhdr', 'str', ['hrshv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('res.fhdr_cnt', 'sint', ['hrshv'], a(0, ['str'])),
  f('res.hdr', 'str', ['hrshv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('res.hdr_cnt', 'sint', ['hrshv'], a(0, ['str'])),
  f('res.hdr_ip', 'ipv4', ['hrshv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('res.hdr_names', 'str', ['hrshv'], a(0, ['str'])),
  f('res.hdr_val', 'sint', ['hrshv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('res.hdrs', 'bin', ['hrshv']),
  f('res.hdrs_bin', 'bin', ['hrshv']),
  f('res.ver', 'str', ['hrshv']),
  f('resp_ver', 'str', ['hrshv']),
  f('scook', 'str', ['hrshv'], a(0, ['str'])),
  f('scook_cnt', 'sint', ['hrshv'], a(0, ['str'])),
  f('scook_val', 'sint', ['hrshv'], a(0, ['str'])),
  f('shdr', 'str', ['hrshv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('shdr_cnt', 'sint', ['hrshv'], a(0, ['str'])),
  f('shdr_ip', 'ipv4', ['hrshv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('shdr_val', 'sint', ['hrshv'], a(0, ['str', 'sint'], vHdrOcc)),
  f('status', 'sint', ['hrshp']),
  f('unique-id', 'str', ['const', 'listn', 'ftend']),
  f('url', 'str', ['hrqhv']),
  f('url32', 'sint', ['hrqhv']),
  f('url32+src', 'bin', ['hrqhv']),
  f('url_ip', 'ipv4', ['hrqhv']),
  f('url_param', 'str', ['hrqhv'], a(0, ['str', 'str'])),
  f('url_port', 'sint', ['hrqhv']),
  f('urlp', 'str', ['hrqhv'], a(0, ['str', 'str'])),
  f('urlp_val', 'sint', ['hrqhv'], a(0, ['str', 'str'])),
  // --- layer 4 (7.3.3) [tcp_sample.c]
  f('bc_dst', 'sint', ['l4srv']),
  f('bc_dst_port', 'sint', ['l4srv']),
  f('bc_src', 'sint', ['l4srv']),
  f('bc_src_port', 'sint', ['l4srv']),
  f('dst', 'ipv4', ['l4cli']),
  f('dst_is_local', 'bool', ['l4cli']),
  f('dst_port', 'sint', ['l4cli']),
  f('fc_dst', 'ipv4', ['l4cli']),
  f('fc_dst_is_local', 'bool', ['l4cli']),
  f('fc_dst_port', 'sint', ['l4cli']),
  f('fc_fackets', 'sint', ['l4cli'], a(0, ['str'], vNoArgCounter)),
  f('fc_lost', 'sint', ['l4cli'], a(0, ['str'], vNoArgCounter)),
  f('fc_reordering', 'sint', ['l4cli'], a(0, ['str'], vNoArgCounter)),
  f('fc_retrans', 'sint', ['l4cli'], a(0, ['str'], vNoArgCounter)),
  f('fc_rtt', 'sint', ['l4cli'], a(0, ['str'], vTimeUnitUsMs)),
  f('fc_rttvar', 'sint', ['l4cli'], a(0, ['str'], vTimeUnitUsMs)),
  f('fc_sacked', 'sint', ['l4cli'], a(0, ['str'], vNoArgCounter)),
  f('fc_src', 'ipv4', ['l4cli']),
  f('fc_src_is_local', 'bool', ['l4cli']),
  f('fc_src_port', 'sint', ['l4cli']),
  f('fc_unacked', 'sint', ['l4cli'], a(0, ['str'], vNoArgCounter)),
  f('src', 'ipv4', ['l4cli']),
  f('src_is_local', 'bool', ['l4cli']),
  f('src_port', 'sint', ['l4cli']),
  // --- connection layer (7.3.3 / 7.3.4) [connection.c]
  f('bc_err', 'sint', ['l4srv']),
  f('bc_err_str', 'str', ['l4srv']),
  f('bc_http_major', 'sint', ['l4srv']),
  f('fc_err', 'sint', ['l4cli']),
  f('fc_err_str', 'str', ['l4cli']),
  f('fc_http_major', 'sint', ['l4cli']),
  f('fc_pp_authority', 'str', ['l4cli']),
  f('fc_pp_unique_id', 'str', ['l4cli']),
  f('fc_rcvd_proxy', 'bool', ['l4cli']),
  // --- stream state (7.3.2) [stream.c]
  f('cur_server_timeout', 'sint', ['bkend']),
  f('cur_tunnel_timeout', 'sint', ['bkend']),
  f('last_rule_file', 'str', ['intrn']),
  f('last_rule_line', 'sint', ['intrn']),
  // --- buffer contents, layer 6 (7.3.5) [payload.c]
  f('distcc_body', 'bin', ['l6req', 'l6res'], a(1, ['str', 'sint'], vDistcc)),
  f('distcc_param', 'sint', ['l6req', 'l6res'], a(1, ['str', 'sint'], vDistcc)),
  f('payload', 'bin', ['l6req', 'l6res'], a(2, ['sint', 'sint'])),
  f('payload_lv', 'bin', ['l6req', 'l6res'], a(2, ['sint', 'sint', 'str'], vPayloadLv)),
  f('rdp_cookie', 'str', ['l6req'], a(0, ['str'])),
  f('rdp_cookie_cnt', 'sint', ['l6req'], a(0, ['str'])),
  f('rep_ssl_hello_type', 'sint', ['l6res']),
  f('req.len', 'sint', ['l6req']),
  f('req.payload', 'bin', ['l6req'], a(2, ['sint', 'sint'])),
  f('req.payload_lv', 'bin', ['l6req'], a(2, ['sint', 'sint', 'str'], vPayloadLv)),
  f('req.rdp_cookie', 'str', ['l6req'], a(0, ['str'])),
  f('req.rdp_cookie_cnt', 'sint', ['l6req'], a(0, ['str'])),
  f('req.ssl_alpn', 'str', ['l6req']),
  f('req.ssl_ec_ext', 'bool', ['l6req']),
  f('req.ssl_hello_type', 'sint', ['l6req']),
  f('req.ssl_sni', 'str', ['l6req']),
  f('req.ssl_st_ext', 'sint', ['l6req']),
  f('req.ssl_ver', 'sint', ['l6req']),
  f('req_len', 'sint', ['l6req']),
  f('req_ssl_hello_type', 'sint', ['l6req']),
  f('req_ssl_sni', 'str', ['l6req']),
  f('req_ssl_ver', 'sint', ['l6req']),
  f('res.len', 'sint', ['l6res']),
  f('res.payload', 'bin', ['l6res'], a(2, ['sint', 'sint'])),
  f('res.payload_lv', 'bin', ['l6res'], a(2, ['sint', 'sint', 'str'], vPayloadLv)),
  f('res.ssl_hello_type', 'sint', ['l6res']),
  f('wait_end', 'bool', ['intrn']),
  // --- listener (7.3.3) [listener.c]
  f('dst_conn', 'sint', ['ftend']),
  f('so_id', 'sint', ['ftend']),
  f('so_name', 'str', ['ftend']),
  // --- FastCGI application (fcgi-app section) [fcgi-app.c]
  f('fcgi.docroot', 'str', ['hrqhv']),
  f('fcgi.index', 'str', ['hrqhv']),
  // --- frontend state (7.3.2) [frontend.c]
  f('fe_client_timeout', 'sint', ['ftend']),
  f('fe_conn', 'sint', ['intrn'], a(1, ['fe'])),
  f('fe_defbe', 'str', ['ftend']),
  f('fe_id', 'sint', ['ftend']),
  f('fe_name', 'str', ['ftend']),
  f('fe_req_rate', 'sint', ['intrn'], a(1, ['fe'])),
  f('fe_sess_rate', 'sint', ['intrn'], a(1, ['fe'])),
  // --- queue state (7.3.2) [queue.c]
  f('prio_class', 'sint', ['intrn']),
  f('prio_offset', 'sint', ['intrn']),
  // --- cache (7.3.6) [cache.c]
  f('res.cache_hit', 'bool', ['hrshp'], undefined, ['BE_SRV_CON']),
  f('res.cache_name', 'str', ['hrshp'], undefined, ['BE_SRV_CON']),
  // --- compression filter (7.3.6) [flt_http_comp.c]
  f('res.comp', 'bool', ['hrshp']),
  f('res.comp_algo', 'str', ['hrshp']),
  // --- stick-table counters (7.3.2 table_*, 7.3.3 sc*/src_*) [stick_table.c]
  f('sc0_bytes_in_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_bytes_out_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_clr_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_clr_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_conn_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_conn_cur', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_conn_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_get_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_get_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_get_gpt0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_gpc0_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_gpc1_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_http_err_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_http_err_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_http_fail_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_http_fail_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_http_req_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_http_req_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_inc_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_inc_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_kbytes_in', 'sint', ['l4cli'], a(0, ['tab'])),
  f('sc0_kbytes_out', 'sint', ['l4cli'], a(0, ['tab'])),
  f('sc0_sess_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_sess_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc0_tracked', 'bool', ['intrn'], a(0, ['tab'])),
  f('sc0_trackers', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_bytes_in_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_bytes_out_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_clr_gpc', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc1_clr_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_clr_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_conn_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_conn_cur', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_conn_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_get_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_get_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_get_gpt0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_gpc0_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_gpc1_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_http_err_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_http_err_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_http_fail_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_http_fail_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_http_req_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_http_req_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_inc_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_inc_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_kbytes_in', 'sint', ['l4cli'], a(0, ['tab'])),
  f('sc1_kbytes_out', 'sint', ['l4cli'], a(0, ['tab'])),
  f('sc1_sess_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_sess_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc1_tracked', 'bool', ['intrn'], a(0, ['tab'])),
  f('sc1_trackers', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_bytes_in_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_bytes_out_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_clr_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_clr_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_conn_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_conn_cur', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_conn_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_get_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_get_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_get_gpt0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_gpc0_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_gpc1_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_http_err_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_http_err_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_http_fail_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_http_fail_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_http_req_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_http_req_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_inc_gpc0', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_inc_gpc1', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_kbytes_in', 'sint', ['l4cli'], a(0, ['tab'])),
  f('sc2_kbytes_out', 'sint', ['l4cli'], a(0, ['tab'])),
  f('sc2_sess_cnt', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_sess_rate', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc2_tracked', 'bool', ['intrn'], a(0, ['tab'])),
  f('sc2_trackers', 'sint', ['intrn'], a(0, ['tab'])),
  f('sc_bytes_in_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_bytes_out_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_clr_gpc', 'sint', ['intrn'], a(2, ['sint', 'sint', 'tab'])),
  f('sc_clr_gpc0', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_clr_gpc1', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_conn_cnt', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_conn_cur', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_conn_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_get_gpc', 'sint', ['intrn'], a(2, ['sint', 'sint', 'tab'])),
  f('sc_get_gpc0', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_get_gpc1', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_get_gpt', 'sint', ['intrn'], a(2, ['sint', 'sint', 'tab'])),
  f('sc_get_gpt0', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_gpc0_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_gpc1_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_gpc_rate', 'sint', ['intrn'], a(2, ['sint', 'sint', 'tab'])),
  f('sc_http_err_cnt', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_http_err_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_http_fail_cnt', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_http_fail_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_http_req_cnt', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_http_req_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_inc_gpc', 'sint', ['intrn'], a(2, ['sint', 'sint', 'tab'])),
  f('sc_inc_gpc0', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_inc_gpc1', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_kbytes_in', 'sint', ['l4cli'], a(1, ['sint', 'tab'])),
  f('sc_kbytes_out', 'sint', ['l4cli'], a(1, ['sint', 'tab'])),
  f('sc_sess_cnt', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_sess_rate', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_tracked', 'bool', ['intrn'], a(1, ['sint', 'tab'])),
  f('sc_trackers', 'sint', ['intrn'], a(1, ['sint', 'tab'])),
  f('src_bytes_in_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_bytes_out_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_clr_gpc', 'sint', ['l4cli'], a(2, ['sint', 'tab'])),
  f('src_clr_gpc0', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_clr_gpc1', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_conn_cnt', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_conn_cur', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_conn_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_get_gpc', 'sint', ['l4cli'], a(2, ['sint', 'tab'])),
  f('src_get_gpc0', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_get_gpc1', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_get_gpt', 'sint', ['l4cli'], a(2, ['sint', 'tab'])),
  f('src_get_gpt0', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_gpc0_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_gpc1_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_gpc_rate', 'sint', ['l4cli'], a(2, ['sint', 'tab'])),
  f('src_http_err_cnt', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_http_err_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_http_fail_cnt', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_http_fail_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_http_req_cnt', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_http_req_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_inc_gpc', 'sint', ['l4cli'], a(2, ['sint', 'tab'])),
  f('src_inc_gpc0', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_inc_gpc1', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_kbytes_in', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_kbytes_out', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_sess_cnt', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_sess_rate', 'sint', ['l4cli'], a(1, ['tab'])),
  f('src_updt_conn_cnt', 'sint', ['l4cli'], a(1, ['tab'])),
  f('table_avl', 'sint', ['intrn'], a(1, ['tab'])),
  f('table_cnt', 'sint', ['intrn'], a(1, ['tab'])),
  // --- TLS (7.3.4) [ssl_sample.c]
  f('ssl_bc', 'bool', ['l5srv']),
  f('ssl_bc_alg_keysize', 'sint', ['l5srv']),
  f('ssl_bc_alpn', 'str', ['l5srv']),
  f('ssl_bc_cipher', 'str', ['l5srv']),
  f('ssl_bc_client_random', 'bin', ['l5srv']),
  f('ssl_bc_err', 'sint', ['l5srv']),
  f('ssl_bc_err_str', 'str', ['l5srv']),
  f('ssl_bc_is_resumed', 'bool', ['l5srv']),
  f('ssl_bc_npn', 'str', ['l5srv']),
  f('ssl_bc_protocol', 'str', ['l5srv']),
  f('ssl_bc_server_random', 'bin', ['l5srv']),
  f('ssl_bc_session_id', 'bin', ['l5srv']),
  f('ssl_bc_session_key', 'bin', ['l5srv']),
  f('ssl_bc_unique_id', 'bin', ['l5srv']),
  f('ssl_bc_use_keysize', 'sint', ['l5srv']),
  f('ssl_c_ca_err', 'sint', ['l5cli']),
  f('ssl_c_ca_err_depth', 'sint', ['l5cli']),
  f('ssl_c_chain_der', 'bin', ['l5cli']),
  f('ssl_c_der', 'bin', ['l5cli']),
  f('ssl_c_err', 'sint', ['l5cli']),
  f('ssl_c_i_dn', 'str', ['l5cli'], a(0, ['str', 'sint', 'str'], vDnFormat)),
  f('ssl_c_key_alg', 'str', ['l5cli']),
  f('ssl_c_notafter', 'str', ['l5cli']),
  f('ssl_c_notbefore', 'str', ['l5cli']),
  f('ssl_c_s_dn', 'str', ['l5cli'], a(0, ['str', 'sint', 'str'], vDnFormat)),
  f('ssl_c_serial', 'bin', ['l5cli']),
  f('ssl_c_sha1', 'bin', ['l5cli']),
  f('ssl_c_sig_alg', 'str', ['l5cli']),
  f('ssl_c_used', 'bool', ['l5cli']),
  f('ssl_c_verify', 'sint', ['l5cli']),
  f('ssl_c_version', 'sint', ['l5cli']),
  f('ssl_f_der', 'bin', ['l5cli']),
  f('ssl_f_i_dn', 'str', ['l5cli'], a(0, ['str', 'sint', 'str'], vDnFormat)),
  f('ssl_f_key_alg', 'str', ['l5cli']),
  f('ssl_f_notafter', 'str', ['l5cli']),
  f('ssl_f_notbefore', 'str', ['l5cli']),
  f('ssl_f_s_dn', 'str', ['l5cli'], a(0, ['str', 'sint', 'str'], vDnFormat)),
  f('ssl_f_serial', 'bin', ['l5cli']),
  f('ssl_f_sha1', 'bin', ['l5cli']),
  f('ssl_f_sig_alg', 'str', ['l5cli']),
  f('ssl_f_version', 'sint', ['l5cli']),
  f('ssl_fc', 'bool', ['l5cli']),
  f('ssl_fc_alg_keysize', 'sint', ['l5cli']),
  f('ssl_fc_alpn', 'str', ['l5cli']),
  f('ssl_fc_cipher', 'str', ['l5cli']),
  f('ssl_fc_cipherlist_bin', 'str', ['l5cli'], a(0, ['sint'])),
  f('ssl_fc_cipherlist_hex', 'bin', ['l5cli'], a(0, ['sint'])),
  f('ssl_fc_cipherlist_str', 'str', ['l5cli'], a(0, ['sint'])),
  f('ssl_fc_cipherlist_xxh', 'sint', ['l5cli']),
  f('ssl_fc_client_early_traffic_secret', 'str', ['l5cli']),
  f('ssl_fc_client_handshake_traffic_secret', 'str', ['l5cli']),
  f('ssl_fc_client_random', 'bin', ['l5cli']),
  f('ssl_fc_client_traffic_secret_0', 'str', ['l5cli']),
  f('ssl_fc_early_exporter_secret', 'str', ['l5cli']),
  f('ssl_fc_ecformats_bin', 'str', ['l5cli']),
  f('ssl_fc_eclist_bin', 'str', ['l5cli'], a(0, ['sint'])),
  f('ssl_fc_err', 'sint', ['l5cli']),
  f('ssl_fc_err_str', 'str', ['l5cli']),
  f('ssl_fc_exporter_secret', 'str', ['l5cli']),
  f('ssl_fc_extlist_bin', 'str', ['l5cli'], a(0, ['sint'])),
  f('ssl_fc_has_crt', 'bool', ['l5cli']),
  f('ssl_fc_has_early', 'bool', ['l5cli']),
  f('ssl_fc_has_sni', 'bool', ['l5cli']),
  f('ssl_fc_is_resumed', 'bool', ['l5cli']),
  f('ssl_fc_npn', 'str', ['l5cli']),
  f('ssl_fc_protocol', 'str', ['l5cli']),
  f('ssl_fc_protocol_hello_id', 'sint', ['l5cli']),
  f('ssl_fc_server_handshake_traffic_secret', 'str', ['l5cli']),
  f('ssl_fc_server_random', 'bin', ['l5cli']),
  f('ssl_fc_server_traffic_secret_0', 'str', ['l5cli']),
  f('ssl_fc_session_id', 'bin', ['l5cli']),
  f('ssl_fc_session_key', 'bin', ['l5cli']),
  f('ssl_fc_sni', 'str', ['l5cli']),
  f('ssl_fc_unique_id', 'bin', ['l5cli']),
  f('ssl_fc_use_keysize', 'sint', ['l5cli']),
  f('ssl_s_chain_der', 'bin', ['l5cli']),
  f('ssl_s_der', 'bin', ['l5cli']),
  f('ssl_s_i_dn', 'str', ['l5cli'], a(0, ['str', 'sint', 'str'], vDnFormat)),
  f('ssl_s_key_alg', 'str', ['l5cli']),
  f('ssl_s_notafter', 'str', ['l5cli']),
  f('ssl_s_notbefore', 'str', ['l5cli']),
  f('ssl_s_s_dn', 'str', ['l5cli'], a(0, ['str', 'sint', 'str'], vDnFormat)),
  f('ssl_s_serial', 'bin', ['l5cli']),
  f('ssl_s_sha1', 'bin', ['l5cli']),
  f('ssl_s_sig_alg', 'str', ['l5cli']),
  f('ssl_s_version', 'sint', ['l5cli']),
  // --- variables (7.3.2) [vars.c]
  f('var', 'any', ['const'], a(1, ['var', 'str'], vVarName)),
];

const BY_NAME: ReadonlyMap<string, FetchRow> = new Map(FETCHES.map((r) => [r.name, r]));

/** Fetch lookup by exact name. */
export function findFetch(name: string): FetchRow | undefined {
  return BY_NAME.get(name);
}

/** HAProxy's error texts around fetch and converter names in sample expressions. */
export const EXPR_MESSAGES = {
  missingFetch: () => 'missing fetch method',
  unknownFetch: (kw: string) => `unknown fetch method '${kw}'`,
  fetchArgs: (kw: string, err: string) => `fetch method '${kw}' : ${err}`,
  fetchValidate: (kw: string, err: string) => `invalid args in fetch method '${kw}' : ${err}`,
  missingCommaAfterFetch: (kw: string) => `missing comma after fetch keyword '${kw}'`,
  missingCommaAfterConverter: (kw: string) => `missing comma after converter '${kw}'`,
  unknownConverter: (kw: string) => `unknown converter '${kw}'`,
  converterCannotBeApplied: (kw: string) => `converter '${kw}' cannot be applied`,
  converterArg: (argPos: number, kw: string, err: string) => `invalid arg ${argPos} in converter '${kw}' : ${err}`,
  converterValidate: (kw: string, err: string) => `invalid args in converter '${kw}' : ${err}`,
  /** Appended by the ACL parser after an expression error (not after ACL-keyword errors). */
  inAclExpression: (err: string, exprText: string) => `${err} in ACL expression '${exprText}'`,
  /** ACL keyword (hdr_beg, path, ...) argument errors. */
  aclKeywordArgs: (kw: string, err: string) => `ACL keyword '${kw}' : ${err}`,
  aclKeywordValidate: (kw: string, err: string) => `in argument to '${kw}', ${err}`,
  /** %[...] in a log-format string. */
  logFormatExpr: (text: string, err: string) => `failed to parse sample expression <${text}> : ${err}`,
  /** %[expr]junk in a log-format string: `exprText` is what parsed, `found` the next char. */
  logFormatMissingBracket: (exprText: string, found: string) => `expected ']' after '${exprText}', but found '${found}'`,
} as const;
