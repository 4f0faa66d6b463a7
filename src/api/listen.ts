// Opening the stats sockets on the main thread. A unix socket is bound under a temporary name,
// given its mode and owner, then renamed over the final path — as HAProxy does, so a client
// never meets a half-configured socket and a stale file from a previous run is replaced
// atomically. Bind failures read as HAProxy's ("Binding [f:l] for frontend GLOBAL: …").

import net from 'node:net';
import { chmodSync, chownSync, renameSync, rmSync } from 'node:fs';
import type { StatsSocketSpec } from './config.js';
import { bindErrorText, bindReason } from '../listeners/bind-error.js';

export interface OpenSocket {
  readonly server: net.Server;
  readonly label: string;
  close(): Promise<void>;
}

function listenOn(server: net.Server, opts: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error): void => reject(e);
    server.once('error', fail);
    server.listen(opts, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function openStatsSocket(spec: StatsSocketSpec, onConnection: (c: net.Socket) => void, pid: number): Promise<OpenSocket> {
  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  if (spec.kind === 'tcp') {
    try {
      await listenOn(server, { host: spec.host, port: spec.port, ipv6Only: false });
    } catch (e) {
      throw new Error(bindErrorText('frontend GLOBAL', spec.where, { kind: 'tcp', path: '', host: spec.host, port: spec.port }, bindReason(e)));
    }
    const label = spec.family === 6 ? `ipv6@[${spec.host}]:${spec.port}` : `ipv4@${spec.host}:${spec.port}`;
    return { server, label, close: () => closeServer(server) };
  }
  const temp = `${spec.path}.${pid}.tmp`;
  try {
    rmSync(temp, { force: true });
    await listenOn(server, { path: temp });
    if (spec.mode >= 0) chmodSync(temp, spec.mode);
    if (spec.uid >= 0 || spec.gid >= 0) chownSync(temp, spec.uid, spec.gid);
    renameSync(temp, spec.path);
  } catch (e) {
    if (server.listening) await closeServer(server);
    rmSync(temp, { force: true });
    throw new Error(bindErrorText('frontend GLOBAL', spec.where, { kind: 'unix', path: spec.path, host: '', port: 0 }, bindReason(e, spec.path)));
  }
  // The socket file stays after close, as HAProxy leaves it (libuv unlinks only the
  // temporary name it bound, long renamed).
  return { server, label: `unix@${spec.path}`, close: () => closeServer(server) };
}
