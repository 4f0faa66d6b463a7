// `option nolinger`: closes are resets. HAProxy 2.6 sets SO_LINGER 0 on a nolinger
// frontend's listening socket (accepted sockets inherit it) and marks a nolinger backend's
// connections so that their first shutdown is a silent close; a close with SO_LINGER 0 sends
// a reset unless both FINs were already exchanged. Node cannot set SO_LINGER on a live socket,
// only close with a reset (resetAndDestroy), so the JS sessions choose at each close.
//
// Facts (haproxy 2.6.12, TCP mode, test/proxy-protocol.test.ts):
// - frontend: a client that sent its FIN gets a reset instead of the FIN that would end the
//   session (server closed, or a timeout); one that did not gets the FIN first (a reset may
//   follow it, which the client rarely sees);
// - backend: the client's FIN, forwarded after the server connection is up, reaches the server
//   as a reset (a FIN that arrived before is forwarded as a FIN), and so do timeouts; once the
//   server sent its own FIN, the close is a FIN.
// The native splice forwarder closes its own fds: nolinger proxies are served by JS sessions.

import type net from 'node:net';

/** Close now with a reset (SO_LINGER 0); a plain close for what is not TCP (unix@). */
export function resetNow(sock: net.Socket): void {
  if (sock.destroyed) return;
  try {
    sock.resetAndDestroy();
  } catch {
    sock.destroy();
  }
}

/**
 * Reset once what Node still buffers for the socket is written (HAProxy closes only once its
 * channel is empty; what the kernel still holds is then dropped, as with SO_LINGER 0), or
 * after `timeoutMs` (a peer that stopped reading) at most.
 */
export function resetAfterFlush(sock: net.Socket, timeoutMs = 0): void {
  if (sock.destroyed) return;
  if (sock.writableLength === 0) return resetNow(sock);
  const timer = setTimeout(() => resetNow(sock), timeoutMs || 1000);
  sock.once('drain', () => {
    clearTimeout(timer);
    resetAfterFlush(sock, timeoutMs);
  });
}

/**
 * The final close of a nolinger frontend's client in a TCP session: a reset, after the FIN
 * HAProxy sends first when the client has not sent its own (its shutdown precedes the close)
 * and nothing is left unwritten. `peerEnded`: the client's FIN was received.
 */
export function closeClientNoLinger(sock: net.Socket, peerEnded: boolean, timeoutMs: number): void {
  if (sock.destroyed) return;
  if (sock.writableEnded) return resetNow(sock);
  if (peerEnded) return resetAfterFlush(sock, timeoutMs);
  if (sock.writableLength > 0) return resetNow(sock);
  sock.end(() => resetNow(sock));
}

/**
 * End a nolinger frontend's client connection: a peer that already sent its FIN is reset; any
 * other gets a FIN, then a reset if it has not answered with its own within `timeoutMs` (both
 * FINs exchanged, Node closes the socket by itself and the kernel sends no reset).
 */
export function closeNoLinger(sock: net.Socket, timeoutMs: number): void {
  if (sock.destroyed) return;
  if (sock.readableEnded) return resetAfterFlush(sock);
  sock.end();
  sock.setTimeout(timeoutMs || 1000, () => resetNow(sock));
}
