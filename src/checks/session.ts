// One check run: walk the compiled rules over real sockets (tcpcheck.c tcpcheck_main and
// chk_report_conn_err): connect, send (which drops what was received so far), expect (which
// waits for enough bytes or the end of the stream), then report HAProxy's status and info.
// Timeouts follow `inter` and `timeout check` as HAProxy 2.6 applies them.

import net from 'node:net';
import type { CheckStatus } from './status.js';
import { strerror } from '../net/strerror.js';
import { stepOf, type ConnectRule, type Rule, type RunView } from './rules.js';
import { openStream, startProbe, type CheckStream, type ProbeHandle, type StreamEvents } from './probe.js';
import { checkProxyHeader } from './proxy-header.js';
import type { SendProxy } from '../net/proxy-protocol.js';

export interface CheckTarget {
  /** The server's address. */
  readonly host: string;
  readonly port: number;
  /** `addr` / `port` server options (the check's own address and port). */
  readonly checkAddr: string | null;
  readonly checkAddrPort: number | null;
  readonly checkPort: number | null;
  /** The PROXY header this server's checks can send. */
  readonly proxy: CheckProxy;
}

/**
 * `spec`: the header's flavour (the server's `send-proxy` / `send-proxy-v2` and its options,
 * v1 without them); `byDefault`: connects with the server's defaults send it (HAProxy's
 * check.send_proxy: `check-send-proxy`, or a `send-proxy` server checked without port/addr).
 * A `connect send-proxy` rule sends it either way.
 */
export interface CheckProxy {
  readonly spec: SendProxy;
  readonly byDefault: boolean;
}

export interface RunOptions {
  readonly rules: readonly Rule[];
  /** `option tcp-check`: infos name the failing step. */
  readonly tcpProto: boolean;
  readonly target: CheckTarget;
  /** Without `timeout check`, the whole check must finish within `inter`. */
  readonly inter: number;
  readonly timeoutCheck: number;
  readonly timeoutConnect: number;
  /** disable-on-404: a 404 passes conditionally while the server is not DOWN. */
  readonly accept404: boolean;
}

export interface RunResult {
  readonly status: CheckStatus;
  readonly info: string;
  readonly code: number | null;
  readonly durationMs: number;
}

export interface RunHandle {
  abort(): void;
}

/** A check's connection through net.Socket (no addon, or a host name). */
function socketStream(host: string, port: number, ev: StreamEvents): CheckStream {
  const s = net.connect({ host, port, noDelay: true, allowHalfOpen: true });
  let connected = false;
  s.on('connect', () => {
    connected = true;
    ev.connect();
  });
  s.on('data', (d: Buffer) => ev.data(d));
  s.on('end', () => ev.end());
  s.on('error', (e: NodeJS.ErrnoException) => ev.error(e.code ?? ''));
  return {
    write: (b) => void s.write(b),
    ends: () => {
      const family = s.remoteFamily;
      if ((family !== 'IPv4' && family !== 'IPv6') || !s.localAddress || !s.remoteAddress) return null;
      return { family, src: s.localAddress, srcPort: s.localPort, dst: s.remoteAddress, dstPort: s.remotePort };
    },
    close(reset: boolean): void {
      s.removeAllListeners('data');
      s.removeAllListeners('end');
      s.removeAllListeners('connect');
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      if (reset && connected && !s.destroyed && s.readyState !== 'closed') s.resetAndDestroy();
      else s.destroy();
    },
  };
}

export function runCheck(opts: RunOptions, done: (r: RunResult) => void): RunHandle {
  return new CheckRun(opts, done);
}

class CheckRun implements RunView, RunHandle {
  private readonly started = Date.now();
  private i = 0;
  private current: Rule | null = null;
  /** The check's connection: the native prober's stream, or a net.Socket behind the same face. */
  private sock: CheckStream | null = null;
  /** A connect-only check running on the native prober instead of `sock`. */
  private probe: ProbeHandle | null = null;
  private sockRule: ConnectRule | null = null;
  /** A PROXY header waiting to go out with the first send after its connect. */
  private proxyHead: Buffer | null = null;
  private connected = false;
  private chunks: Buffer[] = [];
  private joined: Buffer | null = Buffer.alloc(0);
  private eos = false;
  private ioError: string | null = null;
  private mustRead = true;
  private timer: NodeJS.Timeout | null = null;
  private ended = false;
  method = 'OPTIONS';
  code: number | null = null;
  readonly tcpProto: boolean;
  readonly accept404: boolean;

  constructor(
    private readonly opts: RunOptions,
    private readonly done: (r: RunResult) => void,
  ) {
    this.tcpProto = opts.tcpProto;
    this.accept404 = opts.accept404;
    this.arm(opts.inter);
    this.advance();
  }

  get input(): Buffer {
    if (!this.joined) this.joined = Buffer.concat(this.chunks);
    return this.joined;
  }

  private clearInput(): void {
    this.chunks = [];
    this.joined = Buffer.alloc(0);
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expired(), Math.max(1, ms));
  }

  finish(status: CheckStatus, info: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.close();
    this.done({ status, info, code: this.code, durationMs: Date.now() - this.started });
  }

  abort(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.close();
  }

  private close(): void {
    this.probe?.abort();
    this.probe = null;
    const s = this.sock;
    if (!s) return;
    this.sock = null;
    // HAProxy closes check connections with a reset unless the connect rule says `linger`.
    s.close(!this.sockRule?.linger && this.connected);
  }

  /** chk_report_conn_err's step description, for `option tcp-check` only. */
  private stepInfo(): string {
    if (!this.tcpProto) return '';
    const r = this.current;
    const step = r ? stepOf(r) : 1;
    if (step === 0) return ' at initial connection step of tcp-check';
    let s = ` at step ${step} of tcp-check`;
    if (r?.kind === 'connect') s += r.port ? ` (connect port ${r.port})` : ' (connect)';
    else if (r?.kind === 'expect') s += r.label;
    else if (r?.kind === 'send') s += ' (send)';
    if (r?.comment) s += ` comment: '${r.comment}'`;
    return s;
  }

  private connError(status: CheckStatus, errno: string | null): void {
    this.finish(status, `${strerror(errno ?? undefined)}${this.stepInfo()}`);
  }

  private expired(): void {
    this.timer = null;
    if (this.ended) return;
    if (!this.connected) return this.connError('L4TOUT', null);
    const r = this.current;
    const tout = r?.kind === 'expect' && r.toutStatus ? r.toutStatus : 'L7TOUT';
    this.connError(tout, null);
  }

  private connect(rule: ConnectRule): void {
    const t = this.opts.target;
    const host = rule.addr ?? t.checkAddr ?? t.host;
    const port = rule.port ?? (rule.addr ? rule.addrPort : null) ?? t.checkPort ?? t.checkAddrPort ?? t.port;
    this.close();
    this.clearInput();
    this.connected = false;
    this.eos = false;
    this.ioError = null;
    this.sockRule = rule;
    this.proxyHead = null;
    // A connection gets min(inter, timeout connect) when `timeout check` is set, else inter.
    const o = this.opts;
    this.arm(o.timeoutCheck && o.timeoutConnect ? Math.min(o.inter, o.timeoutConnect) : o.inter);
    const proxy = rule.sendProxy || (rule.serverDefaults && t.proxy.byDefault) ? t.proxy.spec : null;
    // Nothing to send or read after this connect (and no `linger`): the native prober does
    // what HAProxy does, a handshake the server never completes on its side, then a reset.
    if (!rule.linger && !proxy && this.i === o.rules.length - 1) {
      this.probe = startProbe(host, port, (code) => this.probed(code));
      if (this.probe) return;
    }
    const ev: StreamEvents = {
      connect: () => {
        if (this.sock !== s) return;
        this.connected = true;
        // The header rides with the first request, as HAProxy's does (one segment).
        if (proxy) {
          const header = checkProxyHeader(proxy, s.ends());
          if (o.rules[this.i + 1]?.kind === 'send') this.proxyHead = header;
          else s.write(header);
        }
        if (this.opts.timeoutCheck) this.arm(this.opts.timeoutCheck);
        this.i++;
        this.advance();
      },
      data: (d) => {
        if (this.sock !== s) return;
        this.chunks.push(d);
        this.joined = null;
        this.advance();
      },
      end: () => {
        if (this.sock !== s) return;
        this.eos = true;
        this.advance();
      },
      error: (code) => {
        if (this.sock !== s || this.ended) return;
        if (!this.connected) return this.connError('L4CON', code || null);
        this.ioError = code || 'EIO';
        this.eos = true;
        this.advance();
      },
    };
    // The prober's stream when it can (a fraction of a net.Socket's cost per check).
    // (HAProxy's smart connect: the ACK waits only for bytes that really follow.)
    const next = o.rules[this.i + 1];
    const sendFirst = proxy !== null || (next?.kind === 'send' && next.empty !== true);
    const s: CheckStream = openStream(host, port, sendFirst, ev) ?? socketStream(host, port, ev);
    this.sock = s;
  }

  private probed(code: string | null): void {
    this.probe = null;
    if (this.ended) return;
    if (code !== null) return this.connError('L4CON', code);
    this.connected = true;
    this.i++;
    this.advance();
  }

  /** Evaluate rules from the current one until one has to wait for the network. */
  private advance(): void {
    const rules = this.opts.rules;
    while (!this.ended && this.i < rules.length) {
      const rule = rules[this.i]!;
      this.current = rule;
      if (rule.kind === 'connect') {
        if (this.sockRule === rule && (this.sock || this.probe)) {
          if (!this.connected) return;
        } else {
          this.connect(rule);
          return;
        }
        this.mustRead = this.input.length === 0;
        this.i++;
        continue;
      }
      if (!this.sock || !this.connected) return;
      if (rule.kind === 'send') {
        // A new request forgets what the previous exchange left in the input buffer.
        this.clearInput();
        if (rule.method) this.method = rule.method;
        if (this.ioError) return this.connError('SOCKERR', this.ioError);
        const data = rule.build();
        this.sock.write(this.proxyHead ? Buffer.concat([this.proxyHead, data]) : data);
        this.proxyHead = null;
        this.mustRead = true;
        this.i++;
        continue;
      }
      if (this.mustRead) {
        if (this.input.length === 0) {
          if (this.ioError) return this.connError('SOCKERR', this.ioError);
          if (!this.eos) return;
          const info = `TCPCHK got an empty response at step ${stepOf(rule)}${rule.comment ? ` comment: '${rule.comment}'` : ''}`;
          return this.finish(rule.errStatus ?? 'L7RSP', info);
        }
        this.mustRead = false;
      }
      this.code = null;
      const r = rule.evaluate(this, this.eos);
      if (r === 'wait') {
        if (this.eos) return this.finish(rule.errStatus ?? 'L7RSP', '');
        return;
      }
      if (r === 'stop') return;
      this.i++;
    }
    if (this.ended) return;
    this.succeed();
  }

  /** All rules passed: the status depends on the last rule evaluated (tcpcheck_main). */
  private succeed(): void {
    const r = this.current;
    if (!r) return this.finish('L7OK', '(tcp-check)');
    if (r.kind === 'expect') {
      if (this.accept404 && this.code === 404) return this.finish('L7OKC', '');
      const info = r.successInfo(this);
      return this.finish(r.okStatus ?? 'L7OK', info);
    }
    if (r.kind === 'connect') return this.finish('L4OK', r.implicit ? '' : '(tcp-check)');
    this.finish('L7OK', '(tcp-check)');
  }
}
