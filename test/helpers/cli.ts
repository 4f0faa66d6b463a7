// A runtime API client for tests: one command line per connection, as socat sends it.

import net from 'node:net';

/** Send `text`, collect everything until the server closes. */
export function cli(target: string | number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = typeof target === 'number' ? net.connect({ port: target, host: '127.0.0.1' }) : net.connect(target);
    let out = '';
    c.setEncoding('latin1');
    c.on('data', (d: string) => (out += d));
    c.on('close', () => resolve(out));
    c.on('error', reject);
    c.write(text);
  });
}

/** Wait until the socket file accepts connections (the control plane starts after the workers). */
export async function socketReady(path: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(path);
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${path} never accepted`);
}
