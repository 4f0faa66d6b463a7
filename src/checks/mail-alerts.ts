// Email alerts (mailers.c): a server state change at or above a backend's `email-alert level`
// (default alert) is mailed through each mailer of its `mailers` section, one SMTP dialogue
// per alert, in order per mailer, within `timeout mail`: HAProxy's tcp-check sequence
// (expect "220 ", HELO, MAIL FROM, RCPT TO, DATA, the message, QUIT), its headers and its
// "[HAProxy Alert]" subject. A relay that fails or times out loses that alert, as in HAProxy.

import net from 'node:net';
import { hostname } from 'node:os';
import type { ConfigModel, ProxyModel } from '../config/model.js';
import { LEVELS } from '../log/target.js';
import { DAYS, MONTHS, pad2, utcOffset } from '../log/dates.js';
import { mailersSection, type Mailer, type MailersSection } from './mailers.js';

/** A proxy's complete email-alert settings (postcheck.ts warns about incomplete ones). */
export interface MailSettings {
  readonly mailers: MailersSection;
  readonly from: string;
  readonly to: string;
  readonly level: number;
  readonly myhostname: string;
  /** The backend's `timeout check` and `timeout connect` (0: unset). */
  readonly checkMs: number;
  readonly connectMs: number;
}

const str = (p: ProxyModel, k: string): string | undefined => {
  const v = p.settings[`email-alert ${k}`]?.value;
  return typeof v === 'string' ? v : undefined;
};

/** Whether the proxy sets any email-alert keyword. */
export const mentionsMail = (p: ProxyModel): boolean => ['mailers', 'from', 'to', 'level', 'myhostname'].some((k) => p.settings[`email-alert ${k}`] !== undefined);

/** The settings, or null when incomplete (HAProxy ignores them) or the section is unknown. */
export function mailSettings(model: ConfigModel, p: ProxyModel): MailSettings | null {
  const name = str(p, 'mailers');
  const from = str(p, 'from');
  const to = str(p, 'to');
  if (!name || !from || !to) return null;
  const mailers = mailersSection(model, name);
  if (!mailers) return null;
  const level = LEVELS.indexOf(str(p, 'level') ?? 'alert');
  return { mailers, from, to, level, myhostname: str(p, 'myhostname') || hostname(), checkMs: p.timeouts['check'] ?? 0, connectMs: p.timeouts['connect'] ?? 0 };
}


/** strftime "%a, %d %b %Y %T %z (%Z)" in local time. */
function mailDate(d: Date): string {
  const z = utcOffset(d);
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? z;
  return `${DAYS[d.getDay()]}, ${pad2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${z} (${zone})`;
}

/** The dialogue: what to wait for in the relay's answers, then what to send. */
function dialogue(s: MailSettings, msg: string): [string, string | null][] {
  const body = `From: ${s.from}\r\nTo: ${s.to}\r\nDate: ${mailDate(new Date())}\r\nSubject: [HAProxy Alert] ${msg}\r\n\r\n${msg}\r\n\r\n.\r\n`;
  return [
    ['220 ', `HELO ${s.myhostname}\r\n`],
    ['250 ', `MAIL FROM:<${s.from}>\r\n`],
    ['250 ', `RCPT TO:<${s.to}>\r\n`],
    ['250 ', 'DATA\r\n'],
    ['354 ', body],
    ['250 ', 'QUIT\r\n'],
    ['221 ', null],
  ];
}

const MAX_ANSWER = 16384;

/** One relay's queue: alerts go out one at a time, in order. */
class MailerQueue {
  private readonly queue: string[] = [];
  private busy = false;
  private stopped = false;
  private current: net.Socket | null = null;

  constructor(
    private readonly m: Mailer,
    private readonly s: MailSettings,
  ) {}

  push(msg: string): void {
    if (this.stopped) return;
    this.queue.push(msg);
    if (!this.busy) this.next();
  }

  private next(): void {
    const msg = this.queue.shift();
    if (msg === undefined || this.stopped) {
      this.busy = false;
      return;
    }
    this.busy = true;
    const steps = dialogue(this.s, msg);
    const sock = net.connect({ host: this.m.host, port: this.m.port });
    this.current = sock;
    let input = '';
    let step = 0;
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      this.current = null;
      this.next();
    };
    // tcp-check's timers (the check's interval is `timeout mail`): with the backend's
    // `timeout check` and `timeout connect`, connecting gets min(timeout mail, timeout
    // connect), then the exchange `timeout check`; otherwise the whole sequence gets
    // `timeout mail`.
    const { checkMs, connectMs } = this.s;
    const split = checkMs > 0 && connectMs > 0;
    let timer = setTimeout(done, split ? Math.min(this.s.mailers.timeoutMs, connectMs) : this.s.mailers.timeoutMs);
    timer.unref();
    if (split) {
      sock.once('connect', () => {
        clearTimeout(timer);
        timer = setTimeout(done, checkMs);
        timer.unref();
      });
    }
    sock.setEncoding('latin1');
    sock.on('error', done);
    sock.on('close', done);
    sock.on('data', (d: string) => {
      input += d;
      // haproxy's check buffer: a relay that fills it without the awaited answer fails.
      if (input.length > MAX_ANSWER) return done();
      // `expect string`: found anywhere in what arrived since the last send.
      while (step < steps.length && input.includes(steps[step]![0])) {
        const send = steps[step]![1];
        step++;
        input = '';
        if (send === null) return done();
        sock.write(send);
      }
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.current?.destroy();
  }
}

/** Every backend's alert queues, built on first use. */
export class MailAlerts {
  private readonly byProxy = new Map<string, { level: number; queues: MailerQueue[] } | null>();

  constructor(private readonly model: ConfigModel) {}

  /** send_email_alert: `message` without its final period, at severity `level`. */
  send(proxy: string, level: number, message: string): void {
    let e = this.byProxy.get(proxy);
    if (e === undefined) {
      const p = this.model.proxies.find((x) => x.name === proxy && x.cap.backend);
      const s = p ? mailSettings(this.model, p) : null;
      e = s ? { level: s.level, queues: s.mailers.mailers.map((m) => new MailerQueue(m, s)) } : null;
      this.byProxy.set(proxy, e);
    }
    if (!e || level > e.level) return;
    for (const q of e.queues) q.push(message);
  }

  stop(): void {
    for (const e of this.byProxy.values()) for (const q of e?.queues ?? []) q.stop();
  }
}
