// Ports and readiness for tests. Ports come from below the kernel's ephemeral range: a
// connect() polled at a not-yet-listening ephemeral port can pick that same port as its
// source and connect to itself (TCP self-connect), which then hangs a test forever.

import net from 'node:net';
import { readFileSync } from 'node:fs';

function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
}

const LOW = 20000;
const HIGH = Math.min(ephemeralLow(), 32768);

/**
 * A port that is free now, outside the ephemeral range (bounded attempts). Picked at random:
 * test files run in parallel processes, and sequential walks from nearby starts collide.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 2000; i++) {
    const port = LOW + Math.floor(Math.random() * Math.max(1, HIGH - LOW));
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

/** Connect once; a self-connected socket (source port = destination port) counts as refused. */
export function tryConnect(port: number, opts: { localAddress?: string } = {}): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1', ...opts });
    c.once('connect', () => {
      if (c.localPort === port && c.localAddress === c.remoteAddress) {
        c.destroy();
        resolve(undefined);
      } else resolve(c);
    });
    c.once('error', () => resolve(undefined));
  });
}

/** Wait until something accepts on 127.0.0.1:port, retrying every 25 ms, bounded. */
export async function connectWhenUp(port: number, attempts = 400): Promise<net.Socket> {
  for (let i = 0; i < attempts; i++) {
    const c = await tryConnect(port);
    if (c) return c;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing accepted on port ${port}`);
}
