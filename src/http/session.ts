// One client connection in HTTP mode, as HAProxy's analysers see it: wait for a request head
// (`timeout http-request`, then `timeout http-keep-alive` between requests), answer a
// monitor-uri request, wait for the body where `option http-buffer-request` asks, run the
// frontend's http-request rules, switch to a backend (its own body wait), run its rules, wait
// for a POST body `balance url_param` may read, pick and connect a server (queue, retries,
// redispatch: the L4 step, per request), forward the request and its body, read the response
// (interim 1xx passed through), run the response rules, forward it, and loop while both sides
// keep the connection alive. A failure answers with HAProxy's error page (400 408 502 503
// 504) and ends this connection only.

import type net from 'node:net';
import { ReadSink, Wire, type WaitResult } from './wire.js';
import { NEED_MORE, RequestReader } from './request-reader.js';
import type { Reply } from '../rules/runtime/reply.js';
import { forwardBody, type BodyResult } from './body.js';
import { closeServerConn, type ServerConn } from './pool.js';
import { parseResponseHead } from './codec/response-head.js';
import type { RequestHead, ResponseHead } from './codec/types.js';
import { connect, connectServer, socketGone, type Attempt, type Departure } from '../dataplane/tcp-session.js';
import { HeaderList } from './codec/headers.js';
import { pathOfTarget } from '../lb/keys.js';
import { bodyless, waitForBody, wholeBodyBytes, type BodyWait } from './request-body.js';
import { balanceInput } from './balance-key.js';
import { decide, negotiate, respond, type Negotiated } from './compress/index.js';
import type { RuntimeBackend, RuntimeFrontend, RuntimeListener, RuntimeServer } from '../dataplane/compile.js';
import { addAddressHeader, type HttpContext, type HttpProxy } from './context.js';
import { HttpTxn } from './txn.js';
import { replyBytes, replyCloses } from './reply.js';
import type { Verdict } from '../rules/runtime/verdict.js';
import { serializeRequestHead, serializeResponseHead } from './codec/serialize.js';
import { ADMIN_MAINT, CNT, SRV } from '../ipc/server-table.js';
import { FC } from '../ipc/conn-gauges.js';
import { OBS, correctStatus, observeError, observeSuccess, type ObsKind } from '../dataplane/observe.js';
import type { Killable } from '../dataplane/server-sessions.js';
import { closeNoLinger } from '../dataplane/nolinger.js';
import { logConnect, logsConnects, socketEnds } from '../log/connect-log.js';

/** Serve one client connection; `sink` when the socket was created reading into it. */
export function httpSession(sock: net.Socket, fe: RuntimeFrontend, l: RuntimeListener, ctx: HttpContext, sink?: ReadSink): Promise<void> {
  ctx.live.add(sock, fe.name);
  sock.once('close', () => {
    ctx.live.delete(sock);
    ctx.leave(fe, l);
    ctx.gauges.count(fe.index, FC.BYTES_IN, sock.bytesRead);
    ctx.gauges.count(fe.index, FC.BYTES_OUT, sock.bytesWritten);
  });
  sock.setNoDelay(true);
  return serveClient(sock, fe, l, ctx, sink)
    .catch(() => undefined)
    .finally(() => {
      // `option nolinger`: a reset, after a FIN unless the client sent its own.
      if (fe.noLinger) return closeNoLinger(sock, fe.timeouts.client);
      if (!sock.destroyed) sock.end();
      // A client that never reads must not hold the socket past its timeout.
      sock.setTimeout(fe.timeouts.client || 1000, () => sock.destroy());
    });
}

async function serveClient(sock: net.Socket, fe: RuntimeFrontend, l: RuntimeListener, ctx: HttpContext, sink: ReadSink | undefined): Promise<void> {
  const client = new Wire(sock, sink);
  const feHttp = ctx.http(fe.name);
  if (!feHttp) return;
  const reader = new RequestReader(client, fe, ctx);
  let own: ServerConn | null = null;
  let first = true;
  const handle = new ExchangeKill(sock, client);
  try {
    for (;;) {
      reader.begin(first);
      let head = reader.next();
      while (head === NEED_MORE) {
        head = reader.after(await client.more(reader.waitMs()));
        if (head === NEED_MORE) head = reader.next();
      }
      if (!head) return;
      // Each request is a new stream for HAProxy: its "Connect from" line (no log format).
      if (logsConnects(fe)) logConnect(fe, l, socketEnds(sock));
      const pending = exchange(sock, client, head, fe, feHttp, ctx, own, first, handle);
      const r = pending instanceof Promise ? await pending : pending;
      own = r.own;
      if (!r.keepAlive) return;
      first = false;
    }
  } finally {
    // The caller ends or resets the socket next: what this turn holds goes first.
    client.flush();
    if (own) ctx.pool.put(own);
  }
}

/**
 * A client connection's handle for `shutdown sessions server` and on-marked-*: one per
 * connection (see Connector.handle). Killing it closes both sides of the exchange in
 * progress; nothing goes back to the pool, and the server is not blamed for it (no error
 * page, no observe error).
 */
class ExchangeKill implements Killable {
  killed = false;
  /** The server connection of the exchange in progress (cleared at each attempt). */
  server: ServerConn | null = null;

  constructor(
    private readonly sock: net.Socket,
    private readonly client: Wire,
  ) {}

  // The per-connection parts of each request's connector (made once, not per request).
  /** The client is still there and the session was not killed. */
  readonly alive = (): boolean => !this.client.failed && !this.killed;
  /** Watched while the request waits in a server's queue. */
  readonly gone = (): Departure => socketGone(this.sock);

  kill(): void {
    this.killed = true;
    this.sock.destroy();
    if (this.server) {
      this.server.killed = true;
      closeServerConn(this.server.sock, this.server.wire);
    }
  }
}

interface Outcome {
  readonly keepAlive: boolean;
  readonly own: ServerConn | null;
}

function exchange(
  sock: net.Socket,
  client: Wire,
  req: RequestHead,
  fe: RuntimeFrontend,
  feHttp: HttpProxy,
  ctx: HttpContext,
  own: ServerConn | null,
  firstOfSession: boolean,
  handle: ExchangeKill,
): Outcome | Promise<Outcome> {
  const txn = new HttpTxn(sock, fe, req, ctx.state, client, ctx.limits);
  ctx.gauges.count(fe.index, FC.REQ_TOTAL);
  const bodyPending = req.framing.kind !== 'none';
  let beHttp: HttpProxy | undefined;
  /** The body was waited for already (`option http-buffer-request` of the frontend or backend). */
  let bodyWaited = false;
  /** Answer locally: a final verdict of the rules, or the error page for `status`. */
  const local = async (v: Verdict | null, status: number): Promise<Outcome> => {
    if (v?.kind === 'reject') return { keepAlive: false, own };
    if (v?.kind === 'tarpit') await new Promise((r) => setTimeout(r, feHttp.tarpitTimeout));
    // A rule's default page is looked up like the session's own: backend, then frontend.
    const reply = v && 'reply' in v && v.reply.kind !== 'builtin' ? v.reply : errorPage(v && 'reply' in v ? v.reply.status : status, txn, feHttp, beHttp);
    // A body already received whole is dropped and the connection kept, as HAProxy does; one
    // still arriving cannot be told apart from the next request: close then.
    const whole = bodyPending ? wholeBodyBytes(req, client) : 0;
    if (whole > 0) client.consume(whole);
    const keep = whole >= 0 && req.keepAlive && !replyCloses(reply) && v?.kind !== 'tarpit';
    if (v) ctx.gauges.count(fe.index, v.kind === 'deny' || v.kind === 'tarpit' ? FC.DENIED_REQ : FC.INTERCEPTED);
    ctx.gauges.count(fe.index, statusClass(reply.status));
    await client.write(replyBytes(reply, keep ? (req.versionMinor === 0 ? 'keep-alive' : null) : 'close'), fe.timeouts.client);
    return { keepAlive: keep, own };
  };
  /**
   * A wait for the body that ended without it (./request-body.ts): HAProxy's 408 or 400,
   * counted as a failed request, or nothing at all for a client that closed.
   */
  const bodyFailed = (r: BodyWait): Outcome | Promise<Outcome> => {
    if (r === 'closed') return { keepAlive: false, own };
    ctx.gauges.count(fe.index, FC.ERR_REQ);
    return local(null, r === 'timeout' ? 408 : 400);
  };
  const waitBody = (px: HttpProxy, then: () => Outcome | Promise<Outcome>): Promise<Outcome> =>
    waitForBody(req, client, ctx.limits, px.httpRequestTimeout, fe.timeouts.client).then((r) => (r === 'ready' ? then() : bodyFailed(r)));

  /** Server selection (use-server, then the balancer), queue, connect with retries, forward. */
  const toBackend = (be: RuntimeBackend): Outcome | Promise<Outcome> => {
    const bh = beHttp;
    if (feHttp.forwardFor || bh?.forwardFor) addAddressHeader(txn, feHttp.forwardFor, bh?.forwardFor ?? null, txn.src);
    if (feHttp.originalTo || bh?.originalTo) addAddressHeader(txn, feHttp.originalTo, bh?.originalTo ?? null, txn.dst);
    const comp = negotiate(bh?.compression ?? null, feHttp.compression, req);

    // Connection handling: the mode of the frontend or backend, the stricter wins.
    const mode = stricter(feHttp.connMode, bh?.connMode ?? 'keep-alive');
    const serverKeep = mode === 'keep-alive';
    const clientKeep = req.keepAlive && mode !== 'close';

    let server: ServerConn | null = null;
    let release: (() => void) | null = null;
    let chosen: RuntimeServer | null = null;
    // A persistence cookie designating a usable server decides first; then use-server rules.
    const persist = bh?.cookie ?? null;
    const now = persist ? Math.floor(Date.now() / 1000) : 0;
    const cookie = persist ? persist.onRequest(req, be.servers, (slot) => persistUsable(ctx, slot, bh!.persistDown), now) : null;
    const forcedName = cookie && cookie.slot >= 0 ? null : bh?.useServer(txn) ?? null;
    const forced = cookie && cookie.slot >= 0 ? cookie.slot : forcedName !== null ? be.servers.find((s) => s.name === forcedName)?.slot ?? -1 : -1;
    const reuse = bh?.reuse ?? 'safe';

    const connectAndSend = (): Outcome | Promise<Outcome> => {
      // A client that closes before its request is whole while it waits for a server (queue,
      // connect) is dropped there and nothing reaches a server, as haproxy 2.6.12 does (CQ,
      // CC), `option abortonclose` or not; one that half-closes after a whole request is
      // still served (recorded: its FIN is not seen before the response).
      const unwatch = bodyPending && wholeBodyBytes(req, client) < 0 ? dropIfIncomplete(sock, req, client) : null;
      const connecting = connectServer(
        be,
        () => balanceInput(be, req, sock, txn),
        ctx,
        {
          alive: handle.alive,
          abort: NOTHING,
          gone: handle.gone,
          handle,
          entry: sock,
          attempt(srv, _be, rel) {
            // Thrown, not failed: the server is not blamed and nothing is retried.
            if (client.failed) throw CLIENT_GONE;
            handle.server = null;
            const use = (c: ServerConn): Attempt => {
              handle.server = c;
              server = c;
              release = rel;
              chosen = srv;
              return ATTEMPT_OK;
            };
            // The session's own connection first; then, except for the first request of a session
            // under `http-reuse safe` (HAProxy's rule), an idle one from the pool. Both without a
            // promise: this is the keep-alive path.
            if (own && own.slot === srv.slot && ctx.pool.current(own) && !own.wire.failed && !own.wire.ended) {
              const c = own;
              own = null;
              ctx.table.count(srv.slot, ctx.worker, CNT.REUSE);
              return use(c);
            }
            const idle = reuse !== 'never' && (reuse !== 'safe' || !firstOfSession) ? ctx.pool.take(srv.slot) : undefined;
            if (idle) {
              ctx.table.count(srv.slot, ctx.worker, CNT.REUSE);
              return use(idle);
            }
            const sink = new ReadSink();
            return connect(srv, be, sink.onread, sock).then((r) => {
              if (!r.ok) return r;
              if (handle.killed) {
                // Killed while connecting: the request must not go out.
                r.socket.destroy();
                return { ok: false, immediate: false };
              }
              if (client.failed) {
                r.socket.destroy();
                throw CLIENT_GONE;
              }
              r.socket.setNoDelay(true);
              // A connection that began with a PROXY header carries this client's addresses: it
              // stays the session's own, never shared (HAProxy only reuses it for the same header).
              return use(ctx.pool.open(r.socket, srv.slot, srv.idle, reuse !== 'never' && !srv.sendProxy, sink));
            });
          },
        },
        forced,
      );
      const proceed = (): Outcome | Promise<Outcome> => {
        unwatch?.();
        if (own) {
          // The session's previous server connection was not used for this request.
          ctx.pool.put(own);
          own = null;
        }
        if (!server || !release || !chosen) return client.failed ? { keepAlive: false, own } : local(null, 503);
        const srv: RuntimeServer = chosen;
        txn.server = { name: srv.name, id: srv.id };
        const onResponse = persist && cookie ? (res: ResponseHead) => persist.onResponse(cookie, req, res, srv, now) : null;
        return toServer(txn, client, server, srv, release, req, fe, be, feHttp, bh, ctx, serverKeep, clientKeep, comp, onResponse);
      };
      return connecting ? connecting.then(proceed) : proceed();
    };
    // `balance url_param` looks in a POST's body when its query string lacks the parameter:
    // HAProxy waits for the body first, unless a cookie or use-server already chose.
    if (be.balance.algorithm === 'url_param' && req.method === 'POST' && forced < 0 && !bodyless(req) && !bodyWaited) {
      return waitBody(bh ?? feHttp, connectAndSend);
    }
    return connectAndSend();
  };

  /** The backend's own rules (once: a listen section's ran as the frontend's). */
  const backendRules = (be: RuntimeBackend): Outcome | Promise<Outcome> => {
    const bh = beHttp;
    if (bh && bh !== feHttp) {
      if (bh.contentRules(txn)) return rejectContent(ctx, fe, own);
      const v = bh.requestRules(txn);
      if (v) return local(v, 0);
    }
    return toBackend(be);
  };

  /** The frontend's http-request rules, then switching. */
  const frontendRules = (): Outcome | Promise<Outcome> => {
    const v = feHttp.requestRules(txn);
    if (v) return local(v, 0);
    const name = feHttp.useBackend(txn) ?? fe.defaultBackend;
    const be = name !== null ? ctx.backend(name) : undefined;
    if (!be) return local(null, 503);
    txn.backend = { name: be.name, id: be.id };
    beHttp = ctx.http(be.name);
    // The backend's `option http-buffer-request`, when the frontend did not wait already:
    // HAProxy waits right after switching, before the backend's rules.
    if (beHttp && !bodyWaited && beHttp.bufferRequest && !bodyless(req)) {
      bodyWaited = true;
      return waitBody(beHttp, () => backendRules(be));
    }
    return backendRules(be);
  };

  // tcp-request content rules (a reject closes the connection without a word, as HAProxy
  // does), then monitor-uri (before any http-request rule: HAProxy answers it right after
  // parsing the request), then the frontend's `option http-buffer-request`.
  if (feHttp.contentRules(txn)) return rejectContent(ctx, fe, own);
  if (feHttp.monitorUri !== null && isMonitorUri(req.uri, feHttp.monitorUri)) {
    ctx.gauges.count(fe.index, FC.INTERCEPTED);
    return local(null, feHttp.monitorFail(txn) ? 503 : 200);
  }
  if (feHttp.bufferRequest && !bodyless(req)) {
    bodyWaited = true;
    return waitBody(feHttp, frontendRules);
  }
  return frontendRules();
}

/** Bodies up to this size, received whole with their head, are sent in the head's Buffer. */
const SMALL_BODY = 16 * 1024;

/**
 * The request goes to the connected server and its response comes back. `done` releases the
 * server's connection slot; the server's byte counters are this exchange's (a kept-alive
 * connection carries several).
 */
async function toServer(
  txn: HttpTxn,
  client: Wire,
  sc: ServerConn,
  srv: RuntimeServer,
  done: () => void,
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
  const sent0 = sc.wire.written;
  const read0 = sc.wire.received;
  try {
    // Whether the whole request has left the client's side (HAProxy keeps the client after a
    // 502 or 504 then: the next request can be told apart).
    let uploaded = req.framing.kind === 'none';
    const fail = async (status: number): Promise<Outcome> => {
      closeServerConn(sc.sock, sc.wire);
      if (sc.killed) return { keepAlive: false, own: null };
      const keep = clientKeep && uploaded && !client.failed;
      ctx.gauges.count(fe.index, statusClass(status));
      if (!client.failed) await client.write(replyBytes(errorPage(status, txn, feHttp, beHttp), keep ? (req.versionMinor === 0 ? 'keep-alive' : null) : 'close'), fe.timeouts.client);
      return { keepAlive: keep, own: null };
    };
    sc.uses++;
    ctx.table.count(sc.slot, ctx.worker, CNT.REQ_TOTAL);
    const upgrading = req.upgrade !== null;
    setConnection(req.headers, serverKeep || upgrading, req.versionMinor, upgrading);
    const named = beHttp?.sendNameHeader ? withServerName(req.headers, beHttp.sendNameHeader, srv.name) : null;
    const wrote = sc.wire.write(serializeRequestHead(req, named ? { headers: named } : undefined), be.timeouts.server);
    if (wrote !== true && !(await wrote)) return fail(502);
    // The body goes up while the response may already come down (100-continue, early answers).
    txn.bodyForwarded = true;
    const up0 = forwardBody(req.framing, client, sc.wire, fe.timeouts.client, be.timeouts.server);
    let upload: BodyResult | Promise<BodyResult>;
    if (typeof up0 === 'string') {
      uploaded = up0 === 'done';
      upload = up0;
    } else {
      upload = up0.then((r) => {
        if (r === 'done') uploaded = true;
        return r;
      });
    }

    let res: ResponseHead;
    for (;;) {
      // One promise per wait for the server, none when the head is already buffered.
      let r: ResponseHead | ObsKind | typeof NEED_MORE = readResponse(sc.wire, req.method, ctx);
      while (r === NEED_MORE) {
        const w = afterResponseWait(sc.wire, await sc.wire.more(be.timeouts.server), req.method, ctx);
        r = w === NEED_MORE ? readResponse(sc.wire, req.method, ctx) : w;
      }
      if (typeof r === 'number') {
        if (sc.killed) return fail(502);
        observeError(ctx.table, srv, r);
        return fail(r === OBS.HTTP_READ_TIMEOUT ? 504 : 502);
      }
      if (correctStatus(r.status)) observeSuccess(ctx.table, srv, 7);
      else observeError(ctx.table, srv, OBS.HTTP_STS);
      if (r.status >= 100 && r.status < 200 && r.status !== 101) {
        // Interim responses (100 Continue, 103 Early Hints) go straight to the client.
        const sent = client.write(serializeResponseHead(r), fe.timeouts.client);
        if (sent !== true) await sent;
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
      closeServerConn(sc.sock, sc.wire);
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
    // The head and the body bytes already received leave together (HAProxy sends them in one
    // sendto): a small body received whole is copied behind the head into one Buffer, one
    // write; otherwise the socket stays corked while the forwarder, which writes what is
    // buffered before its first wait, starts, and they leave in one writev.
    let headSent: boolean | Promise<boolean>;
    let forwarding: BodyResult | Promise<BodyResult>;
    if (!encoder && (serverFraming.kind === 'none' || (serverFraming.kind === 'length' && serverFraming.length <= SMALL_BODY && sc.wire.length >= serverFraming.length))) {
      const body = serverFraming.kind === 'length' ? sc.wire.take(serverFraming.length) : undefined;
      headSent = client.write(serializeResponseHead(res, undefined, undefined, body), fe.timeouts.client);
      forwarding = 'done';
    } else {
      client.sock.cork();
      headSent = client.write(serializeResponseHead(res), fe.timeouts.client);
      forwarding = encoder
        ? encoder.forward(sc.wire, client, be.timeouts.server, fe.timeouts.client)
        : forwardBody(serverFraming, sc.wire, client, be.timeouts.server, fe.timeouts.client);
      client.sock.uncork();
    }
    // Awaited only when something is still pending (a promise per await otherwise).
    if (headSent !== true && !(await headSent)) {
      closeServerConn(sc.sock, sc.wire);
      await forwarding;
      return { keepAlive: false, own: null };
    }
    const down = typeof forwarding === 'string' ? forwarding : await forwarding;
    const up = typeof upload === 'string' ? upload : await upload;
    if (down !== 'done' || up !== 'done') {
      ctx.table.count(sc.slot, ctx.worker, client.failed ? CNT.CLI_ABORT : CNT.SRV_ABORT);
      closeServerConn(sc.sock, sc.wire);
      return { keepAlive: false, own: null };
    }
    const serverAlive = serverKeep && res.keepAlive && serverFraming.kind !== 'close';
    if (!serverAlive) closeServerConn(sc.sock, sc.wire);
    return { keepAlive: keepClient, own: serverAlive ? sc : null };
  } finally {
    ctx.table.count(sc.slot, ctx.worker, CNT.BYTES_IN, sc.wire.written - sent0);
    ctx.table.count(sc.slot, ctx.worker, CNT.BYTES_OUT, sc.wire.received - read0);
    done();
  }
}

/**
 * A response head already buffered; NEED_MORE while incomplete; an invalid one is the
 * analyze status HAProxy's `observe` records for it (the answer is a 502 either way).
 */
function readResponse(server: Wire, method: string, ctx: HttpContext): ResponseHead | ObsKind | typeof NEED_MORE {
  if (server.length === 0) return NEED_MORE;
  const r = parseResponseHead(server.peek(), ctx.limits, method);
  if (r.state === 'done') {
    server.consume(r.consumed);
    return r.head;
  }
  return r.state === 'error' ? OBS.HTTP_HDRRSP : NEED_MORE;
}

/**
 * After waiting for the server: its timeout, its close or failure before a complete head
 * (only a head the last bytes complete still counts: a close-delimited response), or parse
 * again.
 */
function afterResponseWait(server: Wire, w: WaitResult, method: string, ctx: HttpContext): ObsKind | typeof NEED_MORE {
  if (w === 'timeout') return OBS.HTTP_READ_TIMEOUT;
  if (w !== 'data') {
    const closed = w === 'end' ? OBS.HTTP_BROKEN_PIPE : OBS.HTTP_READ_ERROR;
    if (server.length === 0) return closed;
    if (parseResponseHead(server.peek(), ctx.limits, method).state !== 'done') return closed;
  }
  return NEED_MORE;
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

const ATTEMPT_OK: Attempt = { ok: true };

/** A connector's `abort`: the HTTP session answers for itself once connectServer returns. */
const NOTHING = (): void => undefined;

/** Thrown by a connection attempt whose client is gone (see exchange). */
const CLIENT_GONE = new Error('the client closed while its request waited for a server');

/**
 * While a request waits for a server: a client that sends its FIN before the body is whole is
 * closed at once (its request can never complete). Returns the function that stops watching.
 */
function dropIfIncomplete(sock: net.Socket, req: RequestHead, client: Wire): () => void {
  const onEnd = (): void => {
    if (wholeBodyBytes(req, client) < 0) sock.destroy();
  };
  if (client.ended) {
    onEnd();
    return () => undefined;
  }
  sock.once('end', onEnd);
  return () => void sock.off('end', onEnd);
}

/**
 * `monitor-uri`: the request-target itself, or, for a URI starting with '/', its path (the
 * query string included), so an absolute-form target matches too (haproxy 2.6.12: "GET
 * http://a/mon" matches "/mon", "/mon?x" does not).
 */
function isMonitorUri(uri: string, monitor: string): boolean {
  return uri === monitor || (monitor.charCodeAt(0) === 0x2f && pathOfTarget(uri) === monitor);
}

/**
 * `http-send-name-header`: the headers as they go to `server`, any of that name replaced by
 * one line, last (HAProxy's HTTP/1 layer writes it after its own Connection header). The
 * request keeps the client's lines for the rules that still run (http-response).
 */
function withServerName(h: HeaderList, lower: string, server: string): HeaderList {
  const pairs: [string, string][] = [];
  for (let i = 0; i < h.count; i++) if (h.name(i).toLowerCase() !== lower) pairs.push([h.name(i), h.value(i)]);
  pairs.push([lower, server]);
  return HeaderList.from(pairs);
}

/** A request a `tcp-request content` rule rejected: counted as denied, the connection closed. */
function rejectContent(ctx: HttpContext, fe: RuntimeFrontend, own: ServerConn | null): Outcome {
  ctx.gauges.count(fe.index, FC.DENIED_REQ);
  return { keepAlive: false, own };
}

/** The frontend counter of a status's class (hrsp_1xx … hrsp_5xx, hrsp_other). */
function statusClass(status: number): number {
  const c = Math.floor(status / 100);
  return c >= 1 && c <= 5 ? FC.HRSP_1XX + c - 1 : FC.HRSP_OTHER;
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
    if (r === 'done') {
      to.flush();
      to.sock.end();
    }
    else {
      from.sock.destroy();
      to.sock.destroy();
    }
  };
  await Promise.all([pump(a, b, timeoutAtoB), pump(b, a, timeoutBtoA)]);
  a.sock.destroy();
  b.sock.destroy();
}
