// What an HTTP request offers the balancer: the client address for `balance source`, and the
// key of the string-keyed algorithms (uri, url_param, hdr, hash), taken from the request as
// it stands after the http-request rules (HAProxy picks the server after them). The
// extractor is built once per backend from its `balance` spec (compile once, run many).
// No key (missing header or parameter, failed expression) means round robin (src/lb/keyed.ts).
// `url_param` also reads a POST's body, which the session waited for (./request-body.ts).

import type net from 'node:net';
import type { RuntimeBackend } from '../dataplane/compile.js';
import { addressBytes } from '../dataplane/tcp-session.js';
import { compileHashExpr, hashExprText } from '../lb/hash-expr.js';
import { domainKey, uriKey, urlParamKey, urlParamPostKey, type UriKeyOptions } from '../lb/keys.js';
import type { PickInput } from '../lb/types.js';
import { splitList } from '../rules/runtime/headers.js';
import { cast } from '../rules/runtime/sample.js';
import type { Txn } from '../rules/runtime/txn.js';
import type { RequestHead } from './codec/types.js';

type Extractor = (req: RequestHead, sock: net.Socket, txn: Txn) => PickInput;

const NONE: PickInput = Object.freeze({});

/** Strings from the codec carry one byte per char. */
const keyOf = (s: string | undefined): PickInput => (s === undefined ? NONE : { key: Buffer.from(s, 'latin1') });

/** Per backend object (each worker compiles its own runtime): built on first use. */
const extractors = new WeakMap<RuntimeBackend, Extractor>();

export function balanceInput(be: RuntimeBackend, req: RequestHead, sock: net.Socket, txn: Txn): PickInput {
  let x = extractors.get(be);
  if (!x) extractors.set(be, (x = extractorOf(be)));
  return x(req, sock, txn);
}

function extractorOf(be: RuntimeBackend): Extractor {
  const spec = be.balance;
  switch (spec.algorithm) {
    case 'source':
      return (_req, sock) => ({ src: addressBytes(sock.remoteAddress) });
    case 'uri': {
      const o: UriKeyOptions = { whole: spec['whole'] === true, pathOnly: spec['pathOnly'] === true, len: Number(spec['len'] ?? 0), depth: Number(spec['depth'] ?? 0) };
      return (req) => keyOf(uriKey(req.uri, o));
    }
    case 'url_param': {
      const name = String(spec['param']);
      // A POST without the parameter in its query string is looked up in its body (with or
      // without `check_post`, which HAProxy 2.6 accepts and ignores): the session waited for
      // the body before choosing a server.
      return (req, _sock, txn) => {
        const k = urlParamKey(req.uri, name);
        if (k !== undefined || req.method !== 'POST') return keyOf(k);
        const body = txn.reqBody?.();
        const v = body ? urlParamPostKey(body.data, name) : undefined;
        return v === undefined ? NONE : { key: v };
      };
    }
    case 'hdr': {
      const name = String(spec['header']).toLowerCase();
      const domainOnly = spec['domainOnly'] === true;
      return (req) => {
        // The first header line's first list element; empty counts as missing.
        const line = req.headers.get(name);
        const v = line === undefined ? '' : splitList(line)[0]!;
        return v === '' ? NONE : keyOf(domainOnly ? domainKey(v) : v);
      };
    }
    case 'hash': {
      let expr: ReturnType<typeof compileHashExpr>;
      try {
        expr = compileHashExpr(hashExprText(spec), be.name);
      } catch {
        // Checked at load (src/lb/balance-check.ts); a file gone since then leaves no key.
        return () => NONE;
      }
      return (_req, _sock, txn) => {
        const s = expr.one(txn);
        const b = s ? cast(s, 'bin') : null;
        return b && b.type === 'bin' ? { key: b.value } : NONE;
      };
    }
    default:
      return () => NONE;
  }
}
