// TCP servers that answer every connection with their name and close, and a client that
// counts which of them a proxy reached. Servers still open when the test file ends are closed.

import { after } from 'node:test';
import net from 'node:net';
import { once } from 'node:events';
import { connectWhenUp } from './net.js';

const open: net.Server[] = [];
after(() => {
  for (const s of open) s.close();
});

/** A named server on an ephemeral loopback port; resolves with the port. */
export async function named(name: string): Promise<number> {
  const s = net.createServer((c) => {
    c.on('error', () => undefined);
    c.end(name);
  });
  open.push(s);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as net.AddressInfo).port;
}

/** The names that answered `n` new connections through the proxy on `port`, in order. */
export async function spread(port: number, n: number): Promise<string[]> {
  const got: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = await connectWhenUp(port);
    let s = '';
    c.on('data', (d) => (s += d));
    await once(c, 'close');
    got.push(s);
  }
  return got;
}

/** How many times each name occurs. */
export const count = (list: string[]): Record<string, number> => list.reduce<Record<string, number>>((a, x) => ((a[x] = (a[x] ?? 0) + 1), a), {});
