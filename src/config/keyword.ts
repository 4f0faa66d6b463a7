// The shape of a configuration keyword row and the context its parser receives. A feature
// module declares rows next to its code and registers them (see src/features.ts); the parser
// never grows a central switch.

import type { Diagnostics, DiagCode, Loc } from './diag.js';
import type { ConfigModel, Json, ProxyModel, SectionType } from './model.js';
import type { Status } from './status.js';

/** Where a proxy keyword is allowed (HAProxy's proxy keyword matrix, configuration.txt §4.1). */
export interface ProxyCaps {
  readonly defaults: boolean;
  readonly frontend: boolean;
  readonly backend: boolean;
}

export interface Env {
  getenv(name: string): string | undefined;
  /** Directory of the file being parsed: relative paths in some keywords resolve from the cwd, as HAProxy does. */
  readonly cwd: string;
}

export interface KwContext {
  readonly diag: Diagnostics;
  readonly loc: Loc;
  /** The registry key matched, e.g. 'timeout client' or 'option httplog'. */
  readonly key: string;
  /** Words after the key. */
  readonly args: readonly string[];
  /** All words of the line. */
  readonly words: readonly string[];
  /** `no option x` sets this. */
  readonly negated: boolean;
  readonly config: ConfigModel;
  /** The proxy being parsed, in defaults/frontend/backend/listen sections. */
  readonly proxy: ProxyModel | undefined;
  readonly section: { readonly type: SectionType; readonly name: string };
  readonly env: Env;
  /** Report an alert at this line; returns undefined so parsers can `return ctx.fail(...)`. */
  fail(message: string, code?: DiagCode): undefined;
  warn(message: string, code?: DiagCode): void;
}

export interface SectionKeyword {
  /** Registry key: one to three words ('maxconn', 'timeout client', 'tcp-request content'). */
  readonly name: string;
  readonly status: Status;
  /** Proxy keywords only: the matrix row. */
  readonly caps?: ProxyCaps;
  /** What HAProxy does when a proxy keyword is used where its capability is missing. */
  readonly misuse?: 'alert' | 'warning';
  /** Accumulating keywords (acl, http-request, use_backend ...) go to `lists`. */
  readonly multi?: boolean;
  /** `no <keyword>` accepted (options). */
  readonly negatable?: boolean;
  /** One line for the compatibility matrix. */
  readonly summary?: string;
  /**
   * Validate the arguments and return the structured value, or undefined after reporting an
   * error. Rows without a parser only check `minArgs`/`maxArgs` and keep the raw words.
   */
  readonly parse?: (ctx: KwContext) => Json | undefined;
  readonly minArgs?: number;
  readonly maxArgs?: number;
  /**
   * The parser reports its own pending parts (e.g. "'http-request deny' is not implemented
   * yet"), more precisely than the generic alert for the whole keyword.
   */
  readonly selfReported?: boolean;
}

/** Options on `bind` and `server` lines. */
export interface LineOption {
  readonly name: string;
  /** How many words the option consumes after its name. */
  readonly args: number;
  readonly status: Status;
  readonly summary?: string;
  /** Validate the option's words; return the value or an error message. */
  readonly parse?: (words: readonly string[], ctx: KwContext) => { value: Json } | { error: string };
  /** Server options: allowed on default-server lines. */
  readonly onDefaultServer?: boolean;
  /** Server options: a `no-<name>` form exists (resets a default-server setting). */
  readonly negatable?: boolean;
}
