// @fastify/http-proxy with its defaults (undici underneath via @fastify/reply-from), logger off:
// the other Node comparison point of the L7 keep-alive scenario.
//
//   node fastify.js LISTEN_PORT ORIGIN_PORT

import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';

const [listenPort, originPort] = process.argv.slice(2).map(Number);

const app = Fastify({ logger: false });
await app.register(proxy, { upstream: `http://127.0.0.1:${originPort}` });
await app.listen({ port: listenPort!, host: '127.0.0.1' });
process.stdout.write(`ready ${listenPort}\n`);
