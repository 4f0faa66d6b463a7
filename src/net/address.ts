// Address syntax shared by `bind`, `server`, `log`, `stats socket` and peers (configuration.txt
// §11): optional family prefix (ipv4@ ipv6@ unix@ abns@ fd@ sockpair@), host, port or port
// range, '+'/'-' port offsets on servers. Parsing only; resolution happens at start-up.

import { isIPv4, isIPv6 } from 'node:net';
import type { AddressModel } from '../config/model.js';

export type AddressResult = { ok: true; addr: AddressModel } | { ok: false; error: string };

export interface AddressOptions {
  /** bind: port ranges allowed; a port is mandatory for inet families. */
  readonly bind?: boolean;
  /** server: port optional, '+N'/'-N' offsets allowed. */
  readonly server?: boolean;
}

const PREFIXES = ['ipv4', 'ipv6', 'unix', 'abns', 'fd', 'sockpair', 'udp', 'udp4', 'udp6', 'tcp', 'tcp4', 'tcp6', 'stream', 'dgram', 'quic4', 'quic6'];

export function parseAddress(text: string, opts: AddressOptions): AddressResult {
  let rest = text;
  let family = '';
  const at = rest.indexOf('@');
  if (at > 0 && PREFIXES.includes(rest.slice(0, at))) {
    family = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  if (family === 'unix' || family === 'abns' || (family === '' && rest.startsWith('/'))) {
    if (rest === '') return { ok: false, error: `missing path in '${text}'` };
    return { ok: true, addr: { family: family || 'unix', host: rest, ports: [0, 0], text } };
  }
  if (family === 'fd' || family === 'sockpair') {
    if (rest === '') return { ok: false, error: `missing file descriptor in '${text}'` };
    return { ok: true, addr: { family, host: rest, ports: [0, 0], text } };
  }
  // host[:port]; IPv6 may be bracketed or use the last colon as the separator.
  let host: string;
  let port: string | undefined;
  const br = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
  if (br) {
    host = br[1]!;
    port = br[2];
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) {
      host = rest;
      port = undefined;
    } else {
      host = rest.slice(0, colon);
      port = rest.slice(colon + 1);
    }
  }
  let fam: string;
  if (host === '' || host === '*') fam = family.endsWith('6') ? 'ipv6' : family === 'ipv6' ? 'ipv6' : 'ipv4';
  else if (isIPv4(host)) fam = 'ipv4';
  else if (isIPv6(host)) fam = 'ipv6';
  else if (/^[0-9.]+$/.test(host) || !/^[A-Za-z0-9._-]+$/.test(host)) return { ok: false, error: `invalid address: '${host}' in '${text}'` };
  else fam = 'hostname';
  if (family === 'ipv4' && fam === 'ipv6') return { ok: false, error: `invalid address: '${host}' in '${text}'` };

  let ports: [number, number] = [0, 0];
  let portOffset: '' | '+' | '-' = '';
  if (port === undefined || port === '') {
    if (opts.bind) return { ok: false, error: `missing port number: '${text}'` };
  } else {
    let p = port;
    if (opts.server && (p.startsWith('+') || p.startsWith('-'))) {
      portOffset = p[0] as '+' | '-';
      p = p.slice(1);
    }
    const range = /^([0-9]+)(?:-([0-9]+))?$/.exec(p);
    if (!range || (range[2] !== undefined && !opts.bind)) return { ok: false, error: `invalid port '${port}'` };
    const lo = Number(range[1]);
    const hi = range[2] === undefined ? lo : Number(range[2]);
    if (lo > 65535 || hi > 65535 || (lo === 0 && !opts.server && opts.bind)) return { ok: false, error: `invalid port '${port}'` };
    if (hi < lo) return { ok: false, error: `invalid port range '${port}'` };
    ports = [lo, hi];
  }
  return { ok: true, addr: { family: fam, host: host === '*' ? '' : host, ports, portOffset, text } };
}
