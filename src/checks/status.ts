// HAProxy's check statuses (the `check_status` column, `show stat`), their results and long
// descriptions as 2.6 prints them in state-change messages (strerror() texts for the errors a
// check reports: ../net/strerror.ts).

export type CheckStatus =
  | 'UNK'
  | 'INI'
  | 'CHECKED'
  | 'SOCKERR'
  | 'L4OK'
  | 'L4TOUT'
  | 'L4CON'
  | 'L6OK'
  | 'L6TOUT'
  | 'L6RSP'
  | 'L7TOUT'
  | 'L7RSP'
  | 'L7OK'
  | 'L7OKC'
  | 'L7STS'
  | 'HANA'
  | 'PROCERR'
  | 'PROCTOUT'
  | 'PROCOK';

export type CheckResult = 'unknown' | 'neutral' | 'failed' | 'passed' | 'condpass';

interface StatusRow {
  readonly result: CheckResult;
  readonly desc: string;
  /**
   * At or after HAProxy's L57DATA marker: the message shows `code: N`, and an agent's result
   * counts against the server (connection problems of an agent do not).
   */
  readonly layer7Data: boolean;
}

const ROWS: Record<CheckStatus, StatusRow> = {
  UNK: { result: 'unknown', desc: 'Unknown', layer7Data: false },
  INI: { result: 'unknown', desc: 'Initializing', layer7Data: false },
  CHECKED: { result: 'neutral', desc: 'No status change', layer7Data: false },
  SOCKERR: { result: 'failed', desc: 'Socket error', layer7Data: false },
  L4OK: { result: 'passed', desc: 'Layer4 check passed', layer7Data: false },
  L4TOUT: { result: 'failed', desc: 'Layer4 timeout', layer7Data: false },
  L4CON: { result: 'failed', desc: 'Layer4 connection problem', layer7Data: false },
  L6OK: { result: 'passed', desc: 'Layer6 check passed', layer7Data: false },
  L6TOUT: { result: 'failed', desc: 'Layer6 timeout', layer7Data: false },
  L6RSP: { result: 'failed', desc: 'Layer6 invalid response', layer7Data: false },
  L7TOUT: { result: 'failed', desc: 'Layer7 timeout', layer7Data: false },
  L7RSP: { result: 'failed', desc: 'Layer7 invalid response', layer7Data: false },
  L7OK: { result: 'passed', desc: 'Layer7 check passed', layer7Data: true },
  L7OKC: { result: 'condpass', desc: 'Layer7 check conditionally passed', layer7Data: true },
  L7STS: { result: 'failed', desc: 'Layer7 wrong status', layer7Data: true },
  // `observe` (health analyze): a failed "check" the data path's errors stand for.
  HANA: { result: 'failed', desc: 'Health analyze', layer7Data: false },
  // `option external-check`: the command's exit (./external.ts).
  PROCERR: { result: 'failed', desc: 'External check error', layer7Data: true },
  PROCTOUT: { result: 'failed', desc: 'External check timeout', layer7Data: true },
  PROCOK: { result: 'passed', desc: 'External check passed', layer7Data: true },
};

export function statusResult(s: CheckStatus): CheckResult {
  return ROWS[s].result;
}

export function statusDescription(s: CheckStatus): string {
  return ROWS[s].desc;
}

export function isLayer7Data(s: CheckStatus): boolean {
  return ROWS[s].layer7Data;
}

/** The names `ok-status`, `error-status` and `tout-status` accept (tcpcheck.c). */
export function parseStatusName(name: string): CheckStatus | undefined {
  const allowed: readonly CheckStatus[] = ['L7OK', 'L7OKC', 'L6OK', 'L4OK', 'L7RSP', 'L7STS', 'L6RSP', 'L4CON', 'L7TOUT', 'L6TOUT', 'L4TOUT'];
  return allowed.find((s) => s === name);
}
