// The agent-check reply (tcpcheck.c tcpcheck_agent_expect_reply): one line of words separated
// by spaces, tabs or commas — a health word (up, down, stopped, fail), an admin word (ready,
// drain, maint), a weight "N%", "maxconn:N" — and an optional "# description". The last word
// of each kind wins; the first unknown word is reported.

export interface AgentReply {
  readonly health: 'up' | 'down' | 'stopped' | 'fail' | null;
  readonly admin: 'ready' | 'drain' | 'maint' | null;
  readonly weight: string | null;
  readonly maxconn: string | null;
  /** The first word that meant nothing. */
  readonly error: string | null;
  /** The text after '#', leading blanks skipped. */
  readonly desc: string;
}

/** The line up to the first CR or LF, or null while it is incomplete. */
export function agentLine(input: Buffer): string | null {
  const s = input.toString('latin1');
  const end = s.search(/[\r\n\0]/);
  if (end < 0 || s[end] === '\0') return null;
  return s.slice(0, end);
}

export function parseAgentReply(line: string): AgentReply {
  let health: AgentReply['health'] = null;
  let admin: AgentReply['admin'] = null;
  let weight: string | null = null;
  let maxconn: string | null = null;
  let error: string | null = null;
  let desc = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === ',') {
      i++;
      continue;
    }
    if (c === '#') {
      desc = line.slice(i + 1).replace(/^[ \t]+/, '');
      break;
    }
    let j = i + 1;
    while (j < line.length && !' \t,'.includes(line[j]!)) j++;
    const word = line.slice(i, j);
    const lower = word.toLowerCase();
    if (lower === 'up' || lower === 'down' || lower === 'stopped' || lower === 'fail') health = lower;
    else if (lower === 'ready' || lower === 'drain' || lower === 'maint') admin = lower;
    else if (/^[0-9]/.test(word) && word.includes('%')) weight = word;
    else if (lower.startsWith('maxconn:')) maxconn = word.slice('maxconn:'.length);
    else error ??= word;
    i = j + 1;
  }
  return { health, admin, weight, maxconn, error, desc };
}

/** server_parse_maxconn_change_request: the new maxconn, or HAProxy's complaint. */
export function parseMaxconn(text: string): { value: number } | { error: string } {
  if (text === '') return { error: 'Require <maxconn>.\n' };
  const m = /^[ \t]*[+-]?[0-9]+/.exec(text);
  if (!m) return { error: 'maxconn string empty or preceded by garbage' };
  if (m[0].length !== text.length) return { error: 'Trailing garbage in maxconn string' };
  return { value: parseInt(text, 10) };
}

/**
 * server_parse_weight_change_request: "N%" of the initial weight (capped at 256) or an
 * absolute weight; static algorithms only take 0% and 100%.
 */
export function parseWeight(text: string, initial: number, dynamic: boolean): { value: number } | { error: string } {
  if (text === '') return { error: 'Require <weight> or <weight%>.\n' };
  const m = /^[ \t]*[+-]?[0-9]+/.exec(text);
  if (!m) return { error: 'Empty weight string empty or preceded by garbage' };
  let w = parseInt(m[0], 10);
  const rest = text.slice(m[0].length);
  if (rest === '%') {
    if (w < 0) return { error: 'Relative weight must be positive.\n' };
    w = Math.min(w, 25600);
    w = Math.min(Math.floor((initial * w) / 100), 256);
  } else if (w < 0 || w > 256) return { error: 'Absolute weight can only be between 0 and 256 inclusive.\n' };
  else if (rest !== '') return { error: 'Trailing garbage in weight string' };
  if (w && w !== initial && !dynamic) return { error: "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n" };
  return { value: w };
}
