// The shape of a runtime API command row and what its handler receives. Command families
// (one file each) export rows; src/api/commands.ts installs them over HAProxy's catalog of
// commands, then freezes the registry — the same pattern as configuration keywords.

import type { Status } from '../config/status.js';
import type { ApiContext } from './context.js';

/** HAProxy's access levels (ACCESS_LVL_USER/OPER/ADMIN). */
export const LEVEL_USER = 1;
export const LEVEL_OPER = 2;
export const LEVEL_ADMIN = 3;
export type Level = typeof LEVEL_USER | typeof LEVEL_OPER | typeof LEVEL_ADMIN;

export const LEVEL_NAMES: Record<Level, string> = { 1: 'user', 2: 'operator', 3: 'admin' };

/** Syslog severities that HAProxy attaches to CLI feedback (`set severity-output`). */
export const SEV_ERR = 3;
export const SEV_WARNING = 4;
export const SEV_INFO = 6;

/**
 * A command's answer: raw output (dumps like `show stat`, never prefixed), or a feedback
 * message with its severity (HAProxy's cli_msg/cli_err, prefixed under `set severity-output`).
 */
export type Answer = string | { readonly text: string; readonly severity: number };

/** A command that must ask the worker threads answers later; the session waits for it. */
export type Reply = Answer | Promise<Answer>;

export const msg = (text: string): Answer => ({ text, severity: SEV_INFO });
export const err = (text: string): Answer => ({ text, severity: SEV_ERR });
export const warn = (text: string): Answer => ({ text, severity: SEV_WARNING });

/** Per-connection state the session commands change. */
export interface CliSession {
  level: Level;
  prompt: boolean;
  /** `set severity-output`: prefix feedback with its severity. */
  severityOutput: 'none' | 'number' | 'string';
  /** Idle timeout of this connection in ms (`set timeout cli`). */
  timeoutMs: number;
  /** `quit`: set to end the session. */
  quit: boolean;
}

export interface CliCall {
  readonly args: readonly string[];
  readonly payload: string | null;
  readonly session: CliSession;
  readonly api: ApiContext;
}

export interface CliCommand {
  /** The keyword words joined by one space ('show servers state'): the registry key. */
  readonly name: string;
  /** The help line as HAProxy prints it (usage padded to 40 columns, ': ', description); '' hidden. */
  readonly usage: string;
  readonly status: Status;
  /** The level below which the command answers "Permission denied" (checked before its arguments). */
  readonly level?: Level;
  readonly run?: (call: CliCall) => Reply;
}

/**
 * What a command family exports: the implementation of a row of HAProxy's catalog (its help
 * line comes from there), or a command HAProxy hides from `help` (no usage).
 */
export interface CommandImpl {
  readonly name: string;
  readonly level?: Level;
  readonly run: (call: CliCall) => Reply;
}
