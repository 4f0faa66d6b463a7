// The PROXY protocol header a health check sends first (HAProxy's conn_send_proxy on a check
// connection, which has no stream): v1 carries the check connection's own addresses, as
// getsockname/getpeername give them; v2 says LOCAL (a connection the proxy opened itself;
// `pp2-never-send-local` is not implemented), followed by the TLVs the server's
// `proxy-v2-options` ask for, without a unique id (no stream, no id).

import { buildProxyHeader, type ClientSide, type SendProxy } from '../net/proxy-protocol.js';

/** The header flavour for a server without `send-proxy[-v2]` (`check-send-proxy` alone). */
export const PLAIN_V1: SendProxy = { version: 1, crc32c: false, authority: false, uniqueId: false, ssl: false };

const NO_ADDRESSES: ClientSide = { family: undefined, src: undefined, srcPort: undefined, dst: undefined, dstPort: undefined };

/** `ends`: the check connection's local (src) and remote (dst) ends, null when unknown. */
export function checkProxyHeader(spec: SendProxy, ends: ClientSide | null): Buffer {
  if (spec.version === 2) return buildProxyHeader({ ...spec, uniqueId: false }, NO_ADDRESSES);
  return buildProxyHeader(spec, ends ?? NO_ADDRESSES);
}
