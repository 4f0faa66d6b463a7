// The configuration model: plain, serialisable data (it is structured-cloned to every worker
// thread, which compiles it with the same registries). No functions, no class instances.

import type { Loc } from './diag.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type Mode = 'http' | 'tcp' | 'log';

export type SectionType =
  | 'global'
  | 'defaults'
  | 'frontend'
  | 'backend'
  | 'listen'
  | 'userlist'
  | 'peers'
  | 'resolvers'
  | 'cache'
  | 'http-errors'
  | 'mailers'
  | 'program'
  | 'ring'
  | 'log-forward';

export type ProxyType = 'defaults' | 'frontend' | 'backend' | 'listen';

/** One keyword line as parsed: where it was, its words, and what its parser made of it. */
export interface Directive {
  readonly loc: Loc;
  /** The registry key, e.g. 'maxconn', 'option httplog', 'http-request deny', 'timeout client'. */
  readonly key: string;
  readonly args: readonly string[];
  /** The keyword parser's structured result (validated, units resolved). */
  readonly value: Json;
}

/** A bind line: address(es) and options. */
export interface BindModel {
  readonly loc: Loc;
  readonly addresses: readonly AddressModel[];
  readonly options: Record<string, Json>;
}

export interface AddressModel {
  /** 'ipv4' | 'ipv6' | 'unix' | 'abns' | 'fd' | 'sockpair' | 'hostname' */
  readonly family: string;
  readonly host: string;
  /** Inclusive port range; [0, 0] when the address has no port (unix, fd). */
  readonly ports: readonly [number, number];
  /** '' for no offset, '+' or '-' for server ports relative to the client's destination. */
  readonly portOffset?: '' | '+' | '-';
  readonly text: string;
}

export interface ServerModel {
  readonly loc: Loc;
  readonly name: string;
  /** Numeric id, as HAProxy assigns it (explicit `id` first, then the lowest free one). */
  id: number;
  readonly address: AddressModel | null;
  readonly options: Record<string, Json>;
}

export interface ProxyModel {
  readonly type: ProxyType;
  readonly name: string;
  readonly loc: Loc;
  /** Numeric id (`id` keyword or HAProxy's assignment order); 0 for defaults sections. */
  id: number;
  /** Name of the defaults section this proxy inherited from ('' for the anonymous one). */
  readonly from: string | null;
  readonly cap: { readonly frontend: boolean; readonly backend: boolean };
  mode: Mode;
  /** Keyword values, keyed by registry key; the last occurrence wins (inherited ones first). */
  settings: Record<string, Directive>;
  /** Keywords that accumulate (acl, http-request, use_backend, ...), in declaration order. */
  lists: Record<string, Directive[]>;
  /** `option NAME` / `no option NAME`: true, false, or absent (not set). */
  options: Record<string, { readonly enabled: boolean; readonly loc: Loc; readonly args: readonly string[] }>;
  timeouts: Record<string, number>;
  binds: BindModel[];
  servers: ServerModel[];
  defaultServer: Record<string, Json>;
}

/** Sections other than global and proxies: kept as their directives. */
export interface AuxSectionModel {
  readonly type: SectionType;
  readonly name: string;
  readonly loc: Loc;
  readonly directives: Directive[];
}

export interface GlobalModel {
  settings: Record<string, Directive>;
  lists: Record<string, Directive[]>;
}

export interface ConfigModel {
  readonly files: readonly string[];
  global: GlobalModel;
  /** Proxies (frontend, backend, listen) in declaration order. */
  proxies: ProxyModel[];
  /** Named defaults sections, including those only used through `from`. */
  defaults: ProxyModel[];
  sections: AuxSectionModel[];
}

export function emptyGlobal(): GlobalModel {
  return { settings: {}, lists: {} };
}
