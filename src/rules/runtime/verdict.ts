// What evaluating a rule list answers. `continue`: no final action matched (the session goes
// on, and evaluates the next list); `allow`: this list stopped early, processing continues;
// the others end the transaction as HAProxy would.

import type { Reply } from './reply.js';

export type Verdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'allow' }
  /** http-request deny (403 by default) / http-response deny (502 by default). */
  | { readonly kind: 'deny'; readonly status: number; readonly reply: Reply }
  /** Hold the connection for `timeout tarpit`, then send the reply (500 by default). */
  | { readonly kind: 'tarpit'; readonly status: number; readonly reply: Reply }
  | { readonly kind: 'return'; readonly reply: Reply }
  /** The reply carries HAProxy's exact redirect message (status line, header order). */
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string; readonly setCookie?: string; readonly reply: Reply }
  /** Close the connection without a response. */
  | { readonly kind: 'reject' };

export const CONTINUE: Verdict = { kind: 'continue' };
export const ALLOW: Verdict = { kind: 'allow' };
export const REJECT: Verdict = { kind: 'reject' };

/**
 * tcp-request / tcp-response rule lists. `wait`: a condition could not decide yet (content
 * rules before their inspect-delay is over); `close`: tcp-response content close.
 */
export type TcpVerdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'accept' }
  | { readonly kind: 'reject' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'close' };
