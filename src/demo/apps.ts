// The demo's two applications (not part of the proxy): tiny HTTP servers that say who they
// are, started by `npm start` beside the embedded configuration.

import http from 'node:http';

export async function startDemoApps(base: number): Promise<http.Server[]> {
  const apps: http.Server[] = [];
  for (const n of [1, 2]) {
    const srv = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`hello from app${n} (you asked for ${req.url ?? '/'})\n`);
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(base + n, '127.0.0.1', () => resolve());
    });
    apps.push(srv);
  }
  return apps;
}
