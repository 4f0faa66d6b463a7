// Sending log lines from the thread that produces them (the main thread for server state
// changes, each worker for its traffic): one UDP socket per address family, unix datagram
// sockets through the addon, and plain writes to stdout/stderr. Sending never blocks and
// never throws: a line that cannot leave (a full socket buffer, no syslog listening) is
// dropped and counted, as HAProxy drops it.

import dgram from 'node:dgram';
import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import { strerror } from '../net/strerror.js';
import { loadAddon } from '../native/addon.js';
import { syslogLine, type LogIdentity } from './syslog.js';
import type { LogTarget } from './target.js';

/** A proxy's (or the process's) loggers, ready to send. */
export interface Logger {
  /** Whether any target takes messages at this severity (cheap test before building one). */
  wants(level: number): boolean;
  send(level: number, message: string): void;
}

class Transports {
  private udp4: dgram.Socket | null = null;
  private udp6: dgram.Socket | null = null;
  private readonly unix = new Map<string, number>();
  private said = false;
  /** A unix path that could not be opened: why, and when to try again (not on every line). */
  private readonly openFailed = new Map<string, { retryAt: number; error: unknown }>();
  dropped = 0;

  private socket(family: 4 | 6): dgram.Socket {
    let s = family === 4 ? this.udp4 : this.udp6;
    if (!s) {
      s = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
      s.on('error', () => this.dropped++);
      s.unref();
      if (family === 4) this.udp4 = s;
      else this.udp6 = s;
    }
    return s;
  }

  /**
   * The connected socket for a unix path, opened on first use. Throws the open's error (a
   * missing path: ENOENT, said once as haproxy says its sendto error); a failed open is
   * tried again a second later (syslogd may start after us), its error thrown meanwhile.
   */
  private unixFd(path: string): number {
    const fd = this.unix.get(path);
    if (fd !== undefined) return fd;
    const now = Date.now();
    const failed = this.openFailed.get(path);
    if (failed && failed.retryAt > now) throw failed.error;
    try {
      const addon = loadAddon();
      if (!addon) throw Object.assign(new Error('no native addon'), { code: 'EAFNOSUPPORT' });
      const opened = addon.connectUnixDgram(path);
      this.unix.set(path, opened);
      this.openFailed.delete(path);
      return opened;
    } catch (e) {
      this.openFailed.set(path, { retryAt: now + UNIX_RETRY_MS, error: e });
      throw e;
    }
  }

  write(t: LogTarget, line: Buffer, index: number): void {
    const a = t.address;
    try {
      if (a.kind === 'udp') {
        this.socket(a.family).send(line, a.port, a.host, (err) => {
          if (err) this.failed(err as NodeJS.ErrnoException, index);
        });
      } else if (a.kind === 'fd') {
        writeSync(a.fd, line);
      } else {
        writeSync(this.unixFd(a.path), line);
      }
    } catch (e) {
      // EAGAIN: the receiver is full, the line is lost but the socket is fine. Anything else
      // (ECONNREFUSED: syslogd restarted) reopens it on a later line.
      if (a.kind === 'unix' && (e as NodeJS.ErrnoException).code !== 'EAGAIN') this.forget(a.path);
      this.failed(e as NodeJS.ErrnoException, index);
    }
  }

  /**
   * A lost line. EAGAIN is only counted; any other error is also said once (per thread), as
   * haproxy's __do_send_log says it once per process.
   */
  private failed(e: NodeJS.ErrnoException, index: number): void {
    this.dropped++;
    if (e.code === 'EAGAIN') return void onDropped?.();
    if (this.said) return;
    this.said = true;
    const errno = Math.abs(typeof e.errno === 'number' ? e.errno : (osErrno[e.code ?? ''] ?? 0));
    process.stderr.write(`[ALERT]    (${process.pid}) : sendmsg()/writev() failed in logger #${index}: ${strerror(e.code) || e.code || 'error'} (errno=${errno})\n`);
  }

  private forget(path: string): void {
    const fd = this.unix.get(path);
    if (fd === undefined) return;
    this.unix.delete(path);
    try {
      loadAddon()?.close(fd);
    } catch {
      // already gone
    }
  }

  close(): void {
    this.udp4?.close();
    this.udp6?.close();
    this.udp4 = this.udp6 = null;
    for (const p of [...this.unix.keys()]) this.forget(p);
  }
}

const UNIX_RETRY_MS = 1000;

const osErrno: Readonly<Record<string, number>> = constants.errno;


/** Counts a line a full receiver dropped, process-wide (`show info` DroppedLogs). */
let onDropped: (() => void) | null = null;

/** This thread's way to count dropped lines where every thread sees them. */
export function countDroppedLogs(fn: () => void): void {
  onDropped = fn;
}

/** This thread's transports (one set per thread, shared by all its loggers). */
let transports: Transports | null = null;

const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

const NONE: Logger = { wants: () => false, send: () => undefined };

/** A logger sending to `targets` with this process's identity; a no-op without targets. */
export function createLogger(targets: readonly LogTarget[], id: LogIdentity): Logger {
  if (targets.length === 0) return NONE;
  const max = Math.max(...targets.map((t) => t.level));
  return {
    wants: (level) => level <= max,
    send(level, message) {
      if (level > max) return;
      const t0 = nowUs();
      const tr = (transports ??= new Transports());
      for (let i = 0; i < targets.length; i++) {
        const t = targets[i]!;
        const line = syslogLine(t, level, message, id, t0);
        if (line) tr.write(t, line, i + 1);
      }
    },
  };
}

/** Closes this thread's log sockets (the thread stops). */
export function closeLogTransports(): void {
  transports?.close();
  transports = null;
}
