// The agent check (agent-check, agent-port, agent-inter, agent-send, agent-addr): connect,
// send the agent-send string (nothing when empty), read one line, and apply it to the server
// in HAProxy's order — admin state first, then weight and maxconn, then the health word
// (tcpcheck.c tcpcheck_agent_expect_reply). The check's own status follows.

import { agentLine, parseAgentReply, parseMaxconn, parseWeight } from './agent.js';
import type { CompiledCheck } from './compile.js';
import type { ConnectRule, ExpectRule, SendRule } from './rules.js';
import type { CheckStatus } from './status.js';
import type { Server, StateMachine } from './state.js';

export interface AgentOutcome {
  readonly status: CheckStatus;
  readonly info: string;
}

export function agentRules(send: string, apply: (line: string | null, lastRead: boolean) => AgentOutcome | null): CompiledCheck {
  // Agent checks never send the server's PROXY header (HAProxy skips CHK_ST_AGENT).
  const connect: ConnectRule = { kind: 'connect', index: 0, implicit: true, port: null, addr: null, addrPort: null, linger: false, sendProxy: false, serverDefaults: false, comment: null };
  const data = Buffer.from(send, 'latin1');
  const sendRule: SendRule = { kind: 'send', index: 0, comment: null, method: null, ...(data.length === 0 ? { empty: true as const } : {}), build: () => data };
  const expect: ExpectRule = {
    kind: 'expect',
    index: 1,
    comment: null,
    okStatus: null,
    toutStatus: null,
    errStatus: null,
    label: ' (expect custom function)',
    successInfo: () => '',
    evaluate(run, lastRead) {
      const line = agentLine(run.input);
      if (line === null && !lastRead) return 'wait';
      const out = apply(line, lastRead);
      if (out) run.finish(out.status, out.info);
      return 'stop';
    },
  };
  return { rules: [connect, sendRule, expect], tcpProto: false };
}

/** Apply one agent line to the server; null when there is nothing to report. */
export function applyAgentReply(sm: StateMachine, s: Server, line: string | null, _lastRead: boolean, setMaxconn: (slot: number, v: number) => void): AgentOutcome | null {
  const agent = s.agent!;
  if (line === null) return { status: agent.status, info: 'Ignoring incomplete line from agent' };
  const r = parseAgentReply(line);
  if (r.admin) sm.setAdmin(s, r.admin);
  let warning = '';
  if (r.weight !== null) {
    const w = parseWeight(r.weight, s.iweight, s.be.dynamic);
    if ('error' in w) warning = w.error;
    else {
      s.uweight = w.value;
      sm.recalcEweight(s, true);
    }
  }
  if (r.maxconn !== null) {
    const m = parseMaxconn(r.maxconn);
    if ('error' in m) warning ||= m.error;
    else setMaxconn(s.slot, m.value);
  }
  if (r.health) {
    const up = r.health === 'up';
    agent.health = up ? agent.max : 0;
    let msg = r.desc;
    if (!msg || up) msg = r.error ?? (warning || msg);
    return { status: up ? 'L7OK' : 'L7STS', info: `via agent : ${r.health}${msg ? ` (${msg})` : ''}` };
  }
  if (r.error) return { status: 'CHECKED', info: `agent reports an error : ${r.error}` };
  if (warning) return { status: 'CHECKED', info: `agent warns : ${warning}` };
  return { status: 'CHECKED', info: '' };
}
