// The runtime API on `stats socket`: opens every configured socket once the data plane runs,
// applies saved server states first, and serves HAProxy's CLI on each connection — at most
// `stats maxconn` at once (later ones wait, as in HAProxy's backlog), each closed after
// `stats timeout` of silence.

import type net from 'node:net';
import type { ControlContext, ControlService } from '../process/control.js';
import type { CheckRegistry } from '../checks/registry.js';
import { LEVEL_ADMIN, LEVEL_OPER, LEVEL_USER, type Answer, type CliSession, type Level, type Reply } from './command.js';
import { ApiContext, type SessionInfo, type SocketInfo } from './context.js';
import { ApiState } from './state.js';
import { Rates } from './rates.js';
import { execute } from './commands.js';
import { CliProtocol, type Outcome } from './protocol.js';
import { openStatsSocket, type OpenSocket } from './listen.js';
import { loadServerStates } from './state-load.js';
import type { StatsSocketSpec } from './config.js';

const LEVELS: Record<string, Level> = { user: LEVEL_USER, operator: LEVEL_OPER, admin: LEVEL_ADMIN };
const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** HAProxy's defaults for the CLI frontend: 10 s idle timeout, 10 connections. */
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAXCONN = 10;

function render(a: Answer, session: CliSession): string {
  if (typeof a === 'string') return a;
  if (session.severityOutput === 'number') return `[${a.severity}]: ${a.text}`;
  if (session.severityOutput === 'string') return `[${SEVERITY_NAMES[a.severity]}]: ${a.text}`;
  return a.text;
}

function specs(ctx: ControlContext): StatsSocketSpec[] {
  return (ctx.model.global.lists['stats socket'] ?? []).map((d) => d.value as StatsSocketSpec);
}

function globalNumber(ctx: ControlContext, key: string, dflt: number): number {
  const v = ctx.model.global.settings[key]?.value;
  return typeof v === 'number' ? v : dflt;
}

export async function startRuntimeApi(ctx: ControlContext, checks: CheckRegistry): Promise<ControlService> {
  const state = new ApiState(ctx.dp, ctx.startedAt);
  let cliConnections = 0;
  // Every second, date operational changes that no checks view reports.
  const notice = (): void => {
    for (const be of ctx.dp.runtime.backends.values()) for (const s of be.servers) if (!checks.view(s.slot)) state.noticeOperational(s.slot);
  };
  const rates = new Rates(ctx.dp, ctx.dp.gauges, () => cliConnections, notice);
  const sockets: SocketInfo[] = [];
  const live = new Map<net.Socket, SessionInfo & { calls: number }>();
  const api = new ApiContext({
    model: ctx.model,
    dp: ctx.dp,
    checks,
    state,
    rates,
    log: ctx.log,
    pid: ctx.pid,
    startedAt: ctx.startedAt,
    sockets,
    cliConnections: () => cliConnections,
    sessions: () => [...live.values()],
  });
  loadServerStates(api);
  rates.start();

  const timeoutMs = globalNumber(ctx, 'stats timeout', DEFAULT_TIMEOUT_MS);
  const maxconn = globalNumber(ctx, 'stats maxconn', DEFAULT_MAXCONN);
  const waiting: (() => void)[] = [];
  const accepted = new Set<net.Socket>();
  let nextId = 1;

  const serve = (sock: net.Socket, spec: StatsSocketSpec): void => {
    const session: CliSession = {
      level: LEVELS[spec.level] ?? LEVEL_OPER,
      prompt: false,
      severityOutput: spec.severityOutput,
      timeoutMs,
      quit: false,
    };
    const info = {
      id: nextId++,
      proto: spec.kind === 'unix' ? 'unix_stream' : spec.family === 6 ? 'tcpv6' : 'tcpv4',
      source: spec.kind === 'unix' ? 'unix:1' : `${sock.remoteAddress}:${sock.remotePort}`,
      since: Date.now(),
      calls: 0,
      kill: () => void sock.destroy(),
    };
    live.set(sock, info);
    sock.setTimeout(session.timeoutMs, () => sock.destroy());
    const protocol = new CliProtocol({
      exec(line, payload) {
        info.calls++;
        const fail = (e: unknown): Answer => {
          ctx.log.alert(`runtime API: '${line.args.join(' ')}' failed: ${e instanceof Error ? e.message : String(e)}`);
          return { text: 'Internal error.\n', severity: 3 };
        };
        const outcome = (answer: Answer): Outcome => {
          if (session.quit) return { text: '', close: true };
          if (sock.timeout !== session.timeoutMs) sock.setTimeout(session.timeoutMs);
          return { text: render(answer, session) };
        };
        let reply: Reply;
        try {
          reply = execute({ args: line.args, payload, session, api });
        } catch (e) {
          reply = fail(e);
        }
        return reply instanceof Promise ? reply.then(outcome, (e: unknown) => outcome(fail(e))) : outcome(reply);
      },
      prompt: () => session.prompt,
      write: (text) => void sock.write(Buffer.from(text, 'latin1')),
      close: () => void sock.end(),
    });
    sock.on('data', (d: Buffer) => protocol.feed(d.toString('latin1')));
    sock.on('end', () => protocol.end());
    sock.resume();
  };

  const admit = (sock: net.Socket, spec: StatsSocketSpec): void => {
    cliConnections++;
    accepted.add(sock);
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      accepted.delete(sock);
      if (!live.delete(sock)) return;
      waiting.shift()?.();
    });
    if (live.size < maxconn) return serve(sock, spec);
    // Over `stats maxconn`: the client waits, unread, until a session ends.
    sock.pause();
    waiting.push(() => (sock.destroyed ? waiting.shift()?.() : serve(sock, spec)));
  };

  const opened: OpenSocket[] = [];
  try {
    for (const spec of specs(ctx)) {
      const s = await openStatsSocket(spec, (c) => admit(c, spec), ctx.pid);
      opened.push(s);
      sockets.push({ label: s.label, level: LEVELS[spec.level] ?? LEVEL_OPER });
    }
  } catch (e) {
    rates.stop();
    await Promise.all(opened.map((s) => s.close()));
    ctx.log.alert(e instanceof Error ? e.message : String(e));
    throw new Error('[switchyard.main()] Some protocols failed to start their listeners! Exiting.');
  }

  return {
    cliConnections: () => cliConnections,
    async stop() {
      rates.stop();
      for (const s of accepted) s.destroy();
      await Promise.all(opened.map((s) => s.close()));
    },
  };
}
