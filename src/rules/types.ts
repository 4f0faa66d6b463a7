// Types shared by the sample-fetch, converter and ACL tables. A row says everything the
// config checker needs: argument grammar, output type, and where the fetch can run, so that
// `hdr(host),lower,map(f)` is type-checked at load and `res.hdr` inside `http-request` is
// refused at load, not at 3 a.m. (the idea of HAProxy's sample.c rows; our own tables).

/** Sample (value) types, as HAProxy's SMP_T_*. `any` only appears as a converter input. */
export type SampleType = 'any' | 'bool' | 'sint' | 'addr' | 'ipv4' | 'ipv6' | 'str' | 'bin' | 'meth';

/** Argument types, as HAProxy's ARGT_*. */
export type ArgType =
  | 'str'   // free string
  | 'sint'  // signed integer
  | 'time'  // time with unit, result in ms
  | 'size'  // size with k/m/g suffix
  | 'fe'    // frontend name (resolved at end of parsing)
  | 'be'    // backend name
  | 'tab'   // stick-table name (a proxy with a table, or a peers-section table)
  | 'srv'   // server name, possibly 'backend/server'
  | 'usr'   // userlist name
  | 'map'   // map file path
  | 'reg'   // regular expression
  | 'var'   // variable name: proc.|sess.|txn.|req.|res.<name>
  | 'msk4'  // IPv4 netmask (bits or dotted)
  | 'msk6'  // IPv6 netmask (bits)
  | 'ipv4'
  | 'ipv6';

export interface ArgSpec {
  /** Types of the positional arguments, in order. */
  readonly types: readonly ArgType[];
  /** How many of `types` are mandatory (the rest are optional). */
  readonly required: number;
  /**
   * Optional extra validation (e.g. a hash name in `digest`). Returns an error message or
   * undefined. Receives the raw argument strings after type validation.
   */
  readonly validate?: (args: readonly string[]) => string | undefined;
}

/**
 * Where a fetch can extract its data. Mirrors HAProxy's SMP_USE_* families; a rule set
 * provides some of them (see RULESET_PROVIDES in ./contexts.ts).
 *  - internal: process/proxy/server state, always available
 *  - l4cli:    client connection (src, dst, ports)
 *  - l5cli:    session/transport (TLS handshake, fc_* on the session)
 *  - l6req:    request buffer contents (req.len, req.payload, req.ssl_sni)
 *  - l6res:    response buffer contents
 *  - l7req:    parsed HTTP request (headers, path, method, body)
 *  - l7res:    parsed HTTP response
 *  - l4srv:    server-side connection (bc_*, srv_*) once connected
 *  - txn:      the whole transaction (logs, status), available at log time
 */
export type FetchUse =
  | 'internal'
  | 'l4cli'
  | 'l5cli'
  | 'l6req'
  | 'l6res'
  | 'l7req'
  | 'l7res'
  | 'l4srv'
  | 'txn';

/** ACL match methods (`-m`), as HAProxy's PAT_MATCH_*. */
export type MatchMethod =
  | 'found'
  | 'bool'
  | 'int'
  | 'ip'
  | 'bin'
  | 'len'
  | 'str'
  | 'sub'
  | 'reg'
  | 'beg'
  | 'end'
  | 'dir'
  | 'dom';

/** Which issue's work brings a row to life; rows still pending are refused at load. */
import type { Status } from '../config/status.js';
export type { Status };

export interface FetchDef {
  readonly name: string;
  readonly args: ArgSpec;
  readonly out: SampleType;
  readonly use: readonly FetchUse[];
  /** Default ACL match method when this fetch is used in an ACL without -m. */
  readonly match?: MatchMethod;
  readonly status: Status;
}

export interface ConverterDef {
  readonly name: string;
  readonly args: ArgSpec;
  readonly in: SampleType;
  readonly out: SampleType;
  readonly status: Status;
}

/** ACL-only keywords that are a fetch plus a fixed match method (e.g. path_beg = path -m beg). */
export interface AclDerivative {
  readonly name: string;
  readonly fetch: string;
  readonly match: MatchMethod;
}
