// The `mailers` section (mailers.c, cfgparse.c): `mailer NAME ADDR:PORT` SMTP relays and
// `timeout mail` (default 10 s), which email alerts (./mail-alerts.ts) send through.

import type { SectionKeyword } from '../config/keyword.js';
import type { AuxSectionModel, ConfigModel } from '../config/model.js';
import { parseTime } from '../config/units.js';
import { splitAddr } from './spec.js';
import { isIP } from 'node:net';
import { notImplemented, pending } from '../config/status.js';

export interface Mailer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface MailersSection {
  readonly name: string;
  readonly mailers: readonly Mailer[];
  readonly timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export const MAILERS_KEYWORDS: SectionKeyword[] = [
  {
    name: 'mailer',
    status: 'ready',
    multi: true,
    parse(ctx) {
      const [name, addr] = ctx.args;
      if (name === undefined || addr === undefined) return ctx.fail(`'mailer' expects <name> and <addr>[:<port>] as arguments.`);
      const a = splitAddr(addr);
      if (!a || a.port === null) return ctx.fail(`'mailer ${name}' : missing port specification in '${addr}'`);
      // haproxy resolves a name here; without resolvers it is refused, not misread.
      if (isIP(a.host) === 0) return ctx.fail(notImplemented(`'mailer' to the host name '${a.host}'`, pending('resolvers')), 'E_NOT_IMPLEMENTED');
      return { name, host: a.host, port: a.port };
    },
  },
  {
    name: 'timeout mail',
    status: 'ready',
    parse(ctx) {
      if (ctx.args[0] === undefined) return ctx.fail(`'timeout mail' expects <time> as argument.`);
      const r = parseTime(ctx.args[0], 'timeout mail');
      if (!r.ok) return ctx.fail(`unexpected character '${/[^0-9]/.exec(ctx.args[0])?.[0] ?? ''}' in argument to <timeout mail>.`);
      return r.value;
    },
  },
];

function read(sec: AuxSectionModel): MailersSection {
  const mailers: Mailer[] = [];
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  for (const d of sec.directives) {
    const v = d.value;
    if (d.key === 'mailer' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      mailers.push({ name: String(v['name']), host: String(v['host']), port: Number(v['port']) });
    } else if (d.key === 'timeout mail' && typeof v === 'number') timeoutMs = v;
  }
  return { name: sec.name, mailers, timeoutMs };
}

export function mailersSection(model: ConfigModel, name: string): MailersSection | undefined {
  const sec = model.sections.find((s) => s.type === 'mailers' && s.name === name);
  return sec ? read(sec) : undefined;
}
