// The benchmark's own backends and clients, run as separate processes pinned to the load
// core. `node l4-peers.js backend BULK_PORT TINY_PORT IDLE_PORT BYTES` serves: BULK sends
// BYTES per connection, TINY sends one byte and closes, IDLE holds connections open.
// `node l4-peers.js client MODE PORT ...` drives load and prints one JSON line of results.

import net from 'node:net';

const [, , role, ...args] = process.argv;

function backend(bulkPort: number, tinyPort: number, idlePort: number, bytes: number): void {
  const chunk = Buffer.alloc(1 << 20, 0x61);
  net.createServer((c) => {
    c.on('error', () => undefined);
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!c.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void c.once('drain', pump);
      }
      c.end();
    };
    pump();
  }).listen(bulkPort, '127.0.0.1');
  net.createServer((c) => {
    c.on('error', () => undefined);
    c.end('x');
  }).listen(tinyPort, '127.0.0.1');
  const idle: net.Socket[] = [];
  net.createServer((c) => {
    c.on('error', () => undefined);
    idle.push(c);
  }).listen(idlePort, '127.0.0.1');
  process.stdout.write('ready\n');
}

async function bulk(port: number, conns: number, parallel: number): Promise<void> {
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = net.connect({ port, host: '127.0.0.1' });
      c.on('data', (d) => (bytes += d.length));
      c.on('end', () => resolve());
      c.on('error', reject);
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < conns) {
        next++;
        await one();
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ bytes, seconds: s }) + '\n');
}

async function conns(port: number, total: number, parallel: number): Promise<void> {
  let done = 0;
  let failed = 0;
  const t0 = process.hrtime.bigint();
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const c = net.connect({ port, host: '127.0.0.1' });
      let got = false;
      c.on('data', () => (got = true));
      c.on('close', () => {
        if (got) done++;
        else failed++;
        resolve();
      });
      c.on('error', () => undefined);
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) {
        next++;
        await one();
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ done, failed, seconds: s }) + '\n');
}

async function idle(port: number, total: number): Promise<void> {
  const socks: net.Socket[] = [];
  for (let i = 0; i < total; i++) {
    const c = net.connect({ port, host: '127.0.0.1' });
    c.on('error', () => undefined);
    await new Promise((r) => c.once('connect', r));
    socks.push(c);
  }
  process.stdout.write(JSON.stringify({ open: socks.length }) + '\n');
  // Hold them until told to go (stdin closes).
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

const n = args.map(Number);
if (role === 'backend') backend(n[0]!, n[1]!, n[2]!, n[3]!);
else if (role === 'client' && args[0] === 'bulk') void bulk(n[1]!, n[2]!, n[3]!);
else if (role === 'client' && args[0] === 'conns') void conns(n[1]!, n[2]!, n[3]!);
else if (role === 'client' && args[0] === 'idle') void idle(n[1]!, n[2]!);
else {
  process.stderr.write('usage: l4-peers backend|client ...\n');
  process.exit(2);
}
