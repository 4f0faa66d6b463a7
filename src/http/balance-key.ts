// What an HTTP request offers the balancer: the client address for `balance source`, and the
// key of the string-keyed algorithms (uri, url_param, hdr, rdp-cookie, hash).

import type net from 'node:net';
import type { RuntimeBackend } from '../dataplane/compile.js';
import { addressBytes } from '../dataplane/tcp-session.js';
import type { PickInput } from '../lb/types.js';
import type { RequestHead } from './codec/types.js';

export function balanceInput(be: RuntimeBackend, _req: RequestHead, sock: net.Socket): PickInput {
  return be.balance.algorithm === 'source' ? { src: addressBytes(sock.remoteAddress) } : {};
}
