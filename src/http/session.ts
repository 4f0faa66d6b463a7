// One client connection in HTTP mode, as HAProxy's analysers see it: wait for a request head
// (`timeout http-request`, then `timeout http-keep-alive` between requests), run the
// frontend's http-request rules, switch to a backend, run its rules, pick and connect a
// server (queue, retries, redispatch: the L4 step, per request), forward the request and its
// body, read the response (interim 1xx passed through), run the response rules, forward it,
// and loop while both sides keep the connection alive. A failure answers with HAProxy's
// error page (400 408 502 503 504) and ends this connection only.

import type net from 'node:net';
import { Wire } from './wire.js';
import { isMuxStatus, muxReply, streamReply } from './error-pages.js';
import type { Reply } from '../rules/runtime/reply.js';
import { ChunkedDecoder } from './codec/chunked.js';
import { forwardBody } from './body.js';
import { serverConn, type ServerConn } from './pool.js';
import { parseRequestHead } from './codec/request-head.js';
import { parseResponseHead } from './codec/response-head.js';
import type { RequestHead, ResponseHead } from './codec/types.js';
import { connect, connectServer } from '../dataplane/tcp-session.js';
import { balanceInput } from './balance-key.js';
import { decide, negotiate, respond, type Negotiated } from './compress/index.js';
import type { RuntimeBackend, RuntimeFrontend } from '../dataplane/compile.js';
import type { HttpContext, HttpProxy } from './context.js';
import { HttpTxn } from './txn.js';
import { replyBytes, replyCloses } from './reply.js';
import type { Verdict } from '../rules/runtime/verdict.js';
import { serializeRequestHead, serializeResponseHead } from './codec/serialize.js';
import { ADMIN_MAINT, CNT, SRV } from '../ipc/server-table.js';
import { FC } from '../ipc/conn-gauges.js';

export function httpSession(sock: net.Socket, fe: RuntimeFrontend, ctx: HttpContext): Promise<void> {
  ctx.live.add(sock);
  sock.once('close', () => {
    ctx.live.delete(sock);
    ctx.leave(fe);
    ctx.gauges.count(fe.index, FC.BYTES_IN, sock.bytesRead);
    ctx.gauges.count(fe.index, FC.BYTES_OUT, sock.bytesWritten);
  });
  sock.setNoDelay(true);
  return serveClient(sock, fe, ctx)
    .catch(() => undefined)
    .finally(() => {
      if (!sock.destroyed) sock.end();
      // A client that never reads must not hold the socket past its timeout.
      sock.setTimeout(fe.timeouts.client || 1000, () => sock.destroy());
    });
}

async function serveClient(sock: net.Socket, fe: RuntimeFrontend, ctx: HttpContext): Promise<void> {
  const client = new Wire(sock);
  const feHttp = ctx.http(fe.name);
  if (!feHttp) return;
  let own: ServerConn | null = null;
  let first = true;
  try {
    for (;;) {
      const head = await readRequest(client, fe, first, ctx);
      if (!head) return;
      const r = await exchange(sock, client, head, fe, feHttp, ctx, own, first);
      own = r.own;
      if (!r.keepAlive) return;
      first = false;
    }
  } finally {
    if (own) ctx.pool.put(own);
  }
}

/** Wait for and parse one request head; answers 400/408 itself and returns null then. */
async function readRequest(client: Wire, fe: RuntimeFrontend, first: boolean, ctx: HttpContext): Promise<RequestHead | null> {
  const t = fe.timeouts;
  const reqTimeout = t.httpRequest || t.client;
  // Between requests the connection may idle for `timeout http-keep-alive`; once a byte of
  // the next request is there, the whole head must arrive within `timeout http-request`.
  const idleTimeout = first ? reqTimeout : t.httpKeepAlive || reqTimeout;
  let deadline = client.length > 0 || first ? Date.now() + reqTimeout : 0;
  // Bytes already parsed without completing a head. The first bytes are parsed at once (a
  // request that is wrong from its first line is refused at once, as HAProxy does); after
  // that a head can only complete with a line feed, so a new parse waits for one (no
  // quadratic re-parsing of a trickled head).
  let scanned = 0;
  for (;;) {
    const buf = client.peek();
    if (buf.length > scanned && (scanned === 0 || buf.indexOf(10, scanned) >= 0 || buf.length >= ctx.limits.maxHeadBytes)) {
      const r = parseRequestHead(buf, ctx.limits);
      if (r.state === 'done') {
        client.consume(r.consumed);
        // HAProxy parses what it already holds before forwarding anything: a bad chunk in
        // the bytes that came with the head is a 400, and nothing reaches a server.
        if (r.head.framing.kind === 'chunked' && client.length > 0 && 'error' in new ChunkedDecoder().push(client.peek())) {
          requestError(ctx, fe);
          await client.write(muxReply(400), t.client);
          return null;
        }
        return r.head;
      }
      if (r.state === 'error') {
        requestError(ctx, fe);
        await client.write(isMuxStatus(r.status) ? muxReply(r.status) : streamReply(r.status), t.client);
        return null;
      }
    }
    if (buf.length > 0 && deadline === 0) deadline = Date.now() + reqTimeout;
    scanned = buf.length;
    const left = deadline === 0 ? idleTimeout : reqTimeout > 0 ? Math.max(1, deadline - Date.now()) : 0;
    const w = await client.more(left);
    if (w === 'timeout') {
      // A keep-alive connection that stays idle is closed silently; a started or first
      // request that does not complete in time gets HAProxy's 408.
      if (client.length === 0 && !first) return null;
      requestError(ctx, fe);
      await client.write(muxReply(408), t.client);
      return null;
    }
    // The client closed: what it sent last is parsed once more; a partial head is dropped
    // (nothing to forward, nothing to say).
    if (w !== 'data' && client.length === scanned) return null;
  }
}

interface Outcome {
  readonly keepAlive: boolean;
  readonly own: ServerConn | null;
}

async function exchange(
  sock: net.Socket,
  client: Wire,
  req: RequestHead,
  fe: RuntimeFrontend,
  feHttp: HttpProxy,
  ctx: HttpContext,
  own: ServerConn | null,
  firstOfSession: boolean,
): Promise<Outcome> {
  const txn = new HttpTxn(sock, fe, req, ctx.state);
  ctx.gauges.count(fe.index, FC.REQ_TOTAL);
  const bodyPending = req.framing.kind !== 'none';
  let beHttp: HttpProxy | undefined;
  /** Answer locally: a final verdict of the rules, or the error page for `status`. */
  const local = async (v: Verdict | null, status: number): Promise<Outcome> => {
    if (v?.kind === 'reject') return { keepAlive: false, own };
    if (v?.kind === 'tarpit') await new Promise((r) => setTimeout(r, feHttp.tarpitTimeout));
    // A rule's default page is looked up like the session's own: backend, then frontend.
    const reply = v && 'reply' in v && v.reply.kind !== 'builtin' ? v.reply : errorPage(v && 'reply' in v ? v.reply.status : status, txn, feHttp, beHttp);
    // A body already received whole is dropped and the connection kept, as HAProxy does; one
    // still arriving cannot be told apart from the next request: close then.
    let drained = !bodyPending;
    if (req.framing.kind === 'length' && client.length >= req.framing.length) {
      client.consume(req.framing.length);
      drained = true;
    }
    const keep = drained && req.keepAlive && !replyCloses(reply) && v?.kind !== 'tarpit';
    if (v) ctx.gauges.count(fe.index, v.kind === 'deny' || v.kind === 'tarpit' ? FC.DENIED_REQ : FC.INTERCEPTED);
    ctx.gauges.count(fe.index, statusClass(reply.status));
    await client.write(replyBytes(reply, keep ? (req.versionMinor === 0 ? 'keep-alive' : null) : 'close'), fe.timeouts.client);
    return { keepAlive: keep, own };
  };

  // Frontend http-request rules, then switching, then the backend's rules.
  let v = feHttp.requestRules(txn);
  if (v) return local(v, 0);
  const name = feHttp.useBackend(txn) ?? fe.defaultBackend;
  const be = name !== null ? ctx.backend(name) : undefined;
  if (!be) return local(null, 503);
  txn.backend = { name: be.name, id: be.id };
  beHttp = ctx.http(be.name);
  if (beHttp && beHttp !== feHttp) {
    v = beHttp.requestRules(txn);
    if (v) return local(v, 0);
  }
  const forwardFor = beHttp?.forwardFor ?? feHttp.forwardFor;
  if (forwardFor) forwardFor.apply(txn);
  const comp = negotiate(beHttp?.compression ?? null, feHttp.compression, req);

  // Connection handling: the mode of the frontend or backend, the stricter wins.
  const mode = stricter(feHttp.connMode, beHttp?.connMode ?? 'keep-alive');
  const serverKeep = mode === 'keep-alive';
  const clientKeep = req.keepAlive && mode !== 'close';

  // Server selection (use-server, then the balancer), queue, connect with retries.
  let server: ServerConn | null = null;
  let release: (() => void) | null = null;
  let srvName: { name: string; id: number; slot: number } | null = null;
  // A persistence cookie designating a usable server decides first; then use-server rules.
  const persist = beHttp?.cookie ?? null;
  const now = persist ? Math.floor(Date.now() / 1000) : 0;
  const cookie = persist ? persist.onRequest(req, be.servers, (slot) => persistUsable(ctx, slot, beHttp!.persistDown), now) : null;
  const forcedName = cookie && cookie.slot >= 0 ? null : beHttp?.useServer(txn) ?? null;
  const forced = cookie && cookie.slot >= 0 ? cookie.slot : forcedName !== null ? be.servers.find((s) => s.name === forcedName)?.slot ?? -1 : -1;
  const reuse = beHttp?.reuse ?? 'safe';
  await connectServer(
    be,
    () => balanceInput(be, req, sock, txn),
    ctx,
    {
      alive: () => !client.failed,
      abort: () => undefined,
      async attempt(srv, _be, rel) {
        // The session's own connection first; then, except for the first request of a session
        // under `http-reuse safe` (HAProxy's rule), an idle one from the pool.
        let c: ServerConn | undefined;
        if (own && own.slot === srv.slot && !own.wire.failed && !own.wire.ended) {
          c = own;
          own = null;
        } else if (reuse !== 'never' && (reuse !== 'safe' || !firstOfSession)) c = ctx.pool.take(srv.slot);
        if (!c) {
          const r = await connect(srv, be.timeouts.connect);
          if (!r.ok) return r;
          r.socket.setNoDelay(true);
          c = serverConn(r.socket, srv.slot);
        }
        server = c;
        release = rel;
        srvName = { name: srv.name, id: srv.id, slot: srv.slot };
        return { ok: true };
      },
    },
    forced,
  );
  if (own) {
    // The session's previous server connection was not used for this request.
    ctx.pool.put(own);
    own = null;
  }
  if (!server || !release) return local(null, 503);
  const sc: ServerConn = server;
  const done: () => void = release;
  const served: { name: string; id: number; slot: number } = srvName!;
  txn.server = { name: served.name, id: served.id };
  const onResponse = persist && cookie ? (res: ResponseHead) => persist.onResponse(cookie, req, res, served, now) : null;
  // The server's bytes for this exchange (a pooled connection carries several).
  const sent0 = sc.sock.bytesWritten;
  const read0 = sc.sock.bytesRead;
  try {
    return await toServer(txn, client, sc, req, fe, be, feHttp, beHttp, ctx, serverKeep, clientKeep, comp, onResponse);
  } finally {
    ctx.table.count(sc.slot, ctx.worker, CNT.BYTES_IN, sc.sock.bytesWritten - sent0);
    ctx.table.count(sc.slot, ctx.worker, CNT.BYTES_OUT, sc.sock.bytesRead - read0);
    done();
  }
}

async function toServer(
  txn: HttpTxn,
  client: Wire,
  sc: ServerConn,
  req: RequestHead,
  fe: RuntimeFrontend,
  be: RuntimeBackend,
  feHttp: HttpProxy,
  beHttp: HttpProxy | undefined,
  ctx: HttpContext,
  serverKeep: boolean,
  clientKeep: boolean,
  comp: Negotiated | null,
  persistResponse: ((res: ResponseHead) => void) | null,
): Promise<Outcome> {
  // Whether the whole request has left the client's side (HAProxy keeps the client after a
  // 502 or 504 then: the next request can be told apart).
  let uploaded = req.framing.kind === 'none';
  const fail = async (status: number): Promise<Outcome> => {
    sc.sock.destroy();
    const keep = clientKeep && uploaded && !client.failed;
    ctx.gauges.count(fe.index, statusClass(status));
    if (!client.failed) await client.write(replyBytes(errorPage(status, txn, feHttp, beHttp), keep ? (req.versionMinor === 0 ? 'keep-alive' : null) : 'close'), fe.timeouts.client);
    return { keepAlive: keep, own: null };
  };
  sc.uses++;
  ctx.table.count(sc.slot, ctx.worker, CNT.REQ_TOTAL);
  const upgrading = req.upgrade !== null;
  setConnection(req.headers, serverKeep || upgrading, req.versionMinor, upgrading);
  const wrote = await sc.wire.write(serializeRequestHead(req), be.timeouts.server);
  if (!wrote) return fail(502);
  // The body goes up while the response may already come down (100-continue, early answers).
  const upload = forwardBody(req.framing, client, sc.wire, fe.timeouts.client, be.timeouts.server).then((r) => {
    if (r === 'done') uploaded = true;
    return r;
  });

  let res: ResponseHead;
  for (;;) {
    const r = await readResponse(sc.wire, req.method, be, ctx);
    if (r === 'timeout') return fail(504);
    if (r === null) return fail(502);
    if (r.status >= 100 && r.status < 200 && r.status !== 101) {
      // Interim responses (100 Continue, 103 Early Hints) go straight to the client.
      await client.write(serializeResponseHead(r), fe.timeouts.client);
      continue;
    }
    res = r;
    ctx.table.count(sc.slot, ctx.worker, CNT.HRSP_1XX + (statusClass(r.status) - FC.HRSP_1XX));
    break;
  }
  txn.res = res;
  // HAProxy decides on compression before the response rules run (they may change the type).
  if (comp) decide(comp, req, res);
  // Response rules: the backend's, then the frontend's, then http-after-response.
  let v = beHttp ? beHttp.responseRules(txn) : null;
  if (!v && feHttp !== beHttp) v = feHttp.responseRules(txn);
  if (v) {
    sc.sock.destroy();
    ctx.gauges.count(fe.index, FC.DENIED_RESP);
    if (v.kind !== 'reject') ctx.gauges.count(fe.index, FC.HRSP_5XX);
    if (v.kind !== 'reject') await client.write(replyBytes('reply' in v ? v.reply : errorPage(502, txn, feHttp, beHttp), 'close'), fe.timeouts.client);
    return { keepAlive: false, own: null };
  }
  persistResponse?.(res);
  feHttp.afterResponseRules(txn);
  if (beHttp && beHttp !== feHttp) beHttp.afterResponseRules(txn);

  if (res.status === 101 && req.upgrade !== null) {
    // Protocol switch (WebSocket): a tunnel until either side closes.
    await client.write(serializeResponseHead(res), fe.timeouts.client);
    await tunnel(client, sc.wire, be.timeouts.tunnel || be.timeouts.server, fe.timeouts.tunnel || fe.timeouts.client);
    return { keepAlive: false, own: null };
  }
  // The server's framing: compression may change what the client is told, not what comes in.
  const serverFraming = res.framing;
  const encoder = comp ? respond(comp, req, res) : null;
  const keepClient = clientKeep && res.framing.kind !== 'close';
  setConnection(res.headers, keepClient, req.versionMinor, false);
  ctx.gauges.count(fe.index, statusClass(res.status));
  // The head and the body bytes already received leave together, in one writev (HAProxy
  // sends them in one sendto): the socket stays corked while the forwarder, which writes what
  // is buffered before its first wait, starts.
  client.sock.cork();
  const headSent = client.write(serializeResponseHead(res), fe.timeouts.client);
  const forwarding = encoder
    ? encoder.forward(sc.wire, client, be.timeouts.server, fe.timeouts.client)
    : forwardBody(serverFraming, sc.wire, client, be.timeouts.server, fe.timeouts.client);
  client.sock.uncork();
  if (!(await headSent)) {
    sc.sock.destroy();
    await forwarding;
    return { keepAlive: false, own: null };
  }
  const down = await forwarding;
  const up = await upload;
  if (down !== 'done' || up !== 'done') {
    ctx.table.count(sc.slot, ctx.worker, client.failed ? CNT.CLI_ABORT : CNT.SRV_ABORT);
    sc.sock.destroy();
    return { keepAlive: false, own: null };
  }
  const serverAlive = serverKeep && res.keepAlive && serverFraming.kind !== 'close';
  if (!serverAlive) sc.sock.destroy();
  return { keepAlive: keepClient, own: serverAlive ? sc : null };
}

/** Read a response head from the server: null when it is invalid or the server closed. */
async function readResponse(server: Wire, method: string, be: RuntimeBackend, ctx: HttpContext): Promise<ResponseHead | null | 'timeout'> {
  for (;;) {
    if (server.length > 0) {
      const r = parseResponseHead(server.peek(), ctx.limits, method);
      if (r.state === 'done') {
        server.consume(r.consumed);
        return r.head;
      }
      if (r.state === 'error') return null;
    }
    const w = await server.more(be.timeouts.server);
    if (w === 'timeout') return 'timeout';
    if (w !== 'data' && server.length === 0) return null;
    if (w !== 'data') {
      const r = parseResponseHead(server.peek(), ctx.limits, method);
      if (r.state !== 'done') return null;
    }
  }
}

/**
 * The Connection header as HAProxy rewrites it: `close` and `keep-alive` tokens are its own
 * business (stripped by the codec), other tokens stay; HTTP/1.0 peers are told `keep-alive`
 * explicitly, HTTP/1.1 peers are told `close` when the connection will close.
 */
function setConnection(h: RequestHead['headers'], keep: boolean, minor: 0 | 1, upgrade: boolean): void {
  h.stripKeepAliveTokens();
  const own = upgrade ? (h.has('connection') ? null : 'upgrade') : !keep ? 'close' : minor === 0 ? 'keep-alive' : null;
  if (own === null) return;
  const kept = h.getAll('connection');
  if (kept.length) h.set('connection', [...kept, own].join(', '));
  else h.add('connection', own);
}

/** The frontend counter of a status's class (hrsp_1xx … hrsp_5xx, hrsp_other). */
function statusClass(status: number): number {
  const c = Math.floor(status / 100);
  return c >= 1 && c <= 5 ? FC.HRSP_1XX + c - 1 : FC.HRSP_OTHER;
}

/** A request the HTTP/1 layer refused (400, 408, 422): a request (HAProxy counts it), `ereq`, 4xx. */
function requestError(ctx: HttpContext, fe: RuntimeFrontend): void {
  ctx.gauges.count(fe.index, FC.REQ_TOTAL);
  ctx.gauges.count(fe.index, FC.ERR_REQ);
  ctx.gauges.count(fe.index, FC.HRSP_4XX);
}

/** The page for an error status: the backend's own, else the frontend's, else HAProxy's. */
function errorPage(status: number, txn: HttpTxn, feHttp: HttpProxy, beHttp: HttpProxy | undefined): Reply {
  return beHttp?.errorReply(status, txn) ?? feHttp.errorReply(status, txn) ?? { kind: 'builtin', status };
}

/** A server a persistence cookie may still send to: up and not in maintenance, or anything with `option persist`. */
function persistUsable(ctx: HttpContext, slot: number, persistDown: boolean): boolean {
  return persistDown || (ctx.table.get(slot, SRV.UP) === 1 && ctx.table.get(slot, SRV.ADMIN) !== ADMIN_MAINT);
}

function stricter(a: HttpProxy['connMode'], b: HttpProxy['connMode']): HttpProxy['connMode'] {
  const rank = { 'keep-alive': 0, 'server-close': 1, close: 2 } as const;
  return rank[a] >= rank[b] ? a : b;
}

/** Bytes both ways until one side closes (the WebSocket tunnel). */
async function tunnel(a: Wire, b: Wire, timeoutAtoB: number, timeoutBtoA: number): Promise<void> {
  const pump = async (from: Wire, to: Wire, timeout: number): Promise<void> => {
    const r = await forwardBody({ kind: 'close' }, from, to, timeout, timeout);
    if (r === 'done') to.sock.end();
    else {
      from.sock.destroy();
      to.sock.destroy();
    }
  };
  await Promise.all([pump(a, b, timeoutAtoB), pump(b, a, timeoutBtoA)]);
  a.sock.destroy();
  b.sock.destroy();
}
