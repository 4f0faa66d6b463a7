// A reverse proxy the way many Node services write one: node:http in front, an undici Pool
// (keep-alive, the same connection budget as the other proxies) behind, hop-by-hop headers
// dropped both ways. The comparison point of the L7 keep-alive scenario: Switchyard exists
// because this shape costs several times HAProxy's CPU per request.
//
//   node node-undici.js LISTEN_PORT ORIGIN_PORT

import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const [listenPort, originPort] = process.argv.slice(2).map(Number);

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

function forwardable(headers: http.IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

const pool = new Pool(`http://127.0.0.1:${originPort}`, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });

const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  pool
    .request({ path: req.url ?? '/', method: method as 'GET', headers: forwardable(req.headers), body: hasBody ? req : null })
    .then(async (up) => {
      res.writeHead(up.statusCode, forwardable(up.headers));
      await pipeline(up.body, res);
    })
    .catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
});
server.listen(listenPort, '127.0.0.1', () => process.stdout.write(`ready ${listenPort}\n`));
