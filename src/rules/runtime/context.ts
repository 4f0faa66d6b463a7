// What compiling needs to know (the proxy, the direction, where files are), the shapes of the
// implementation tables, and the error a config gets refused with when something can only be
// checked at compile time (a regex, a map file, a pattern).

import type { Loc } from '../../config/diag.js';
import type { ProxyModel } from '../../config/model.js';
import type { AclRegistries } from '../acl.js';
import type { Sample } from './sample.js';
import type { Txn } from './txn.js';

export class RuleCompileError extends Error {
  constructor(
    message: string,
    readonly loc?: Loc,
    /** The message already says where (HAProxy prints no `parsing [file:line]` prefix then). */
    readonly placed = false,
  ) {
    super(message);
    this.name = 'RuleCompileError';
  }
}

/** Files read at compile time (patterns, maps, reply bodies), by absolute path. */
export type FileCache = Map<string, string>;

export interface CompileCtx {
  readonly proxy: ProxyModel;
  /** Which message `hdr()`/`cookie()`-style fetches read: the rule set's direction. */
  readonly dir: 'req' | 'res';
  /** Directory relative file names are resolved from (HAProxy: its working directory). */
  readonly baseDir: string;
  readonly registries: AclRegistries;
  /** Process-wide ('proc.') variables: per worker here. */
  readonly procVars: Map<string, Sample>;
  readonly files: FileCache;
  /** Location of the rule being compiled, for errors. */
  readonly loc?: Loc;
  /** Names of the proxies with the backend capability (use_backend, be args). */
  readonly backends: ReadonlySet<string>;
}

export function withDir(ctx: CompileCtx, dir: 'req' | 'res', loc?: Loc): CompileCtx {
  return { ...ctx, dir, loc: loc ?? ctx.loc };
}

export interface CompiledFetch {
  /** The value HAProxy uses in a sample expression (e.g. the last occurrence of a header). */
  one(txn: Txn): Sample | null;
  /** Every value an ACL iterates over; absent when there is only ever one. */
  all?(txn: Txn): Sample[];
}

export type FetchImpl = (args: readonly string[], ctx: CompileCtx) => CompiledFetch;

/** A converter with its arguments bound; receives a sample already cast to its input type. */
export type ConverterFn = (s: Sample, txn: Txn) => Sample | null;
export type ConverterImpl = (args: readonly string[], ctx: CompileCtx) => ConverterFn;

/** A fetch returning at most one value. */
export function single(one: (txn: Txn) => Sample | null): CompiledFetch {
  return { one };
}
