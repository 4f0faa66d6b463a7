// The addresses of a raw socket fd (getsockname/getpeername through the addon) as text, for
// the lines that name them: a check's PROXY header, a spliced session's "Connect from".

import type { NativeAddon } from './addon.js';
import { formatIpv4, formatIpv6 } from '../rules/runtime/sample.js';

export interface FdEnds {
  readonly family: 'IPv4' | 'IPv6';
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

/** Null when the socket is gone (reset meanwhile) or is not an inet socket. */
export function fdEnds(addon: NativeAddon, fd: number): FdEnds | null {
  try {
    const src = Buffer.from(addon.peerAddress(fd));
    const dst = Buffer.from(addon.localAddress(fd));
    if (src.length !== dst.length) return null;
    const text = src.length === 4 ? formatIpv4 : formatIpv6;
    return { family: src.length === 4 ? 'IPv4' : 'IPv6', src: text(src), srcPort: addon.peerPort(fd), dst: text(dst), dstPort: addon.localPort(fd) };
  } catch {
    return null;
  }
}
