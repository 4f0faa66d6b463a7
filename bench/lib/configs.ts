// Configuration text shared by the scenarios. The HAProxy-format files run unchanged in
// HAProxy 2.6 and Switchyard; the nginx files are the idiomatic nginx equivalent (upstream
// keep-alive, no access log), with keep-alive request limits lifted to match HAProxy's.

import { existsSync } from 'node:fs';
import { NGINX_STREAM_MODULE } from './proxies.js';
import type { Tuning } from './scenario.js';

/** global + defaults; L4 scenarios splice in HAProxy (Switchyard always does with its addon). */
function haproxyHead(t: Tuning, mode: 'http' | 'tcp'): string[] {
  return [
    'global',
    `    nbthread ${t.threads}`,
    '',
    'defaults',
    `    mode ${mode}`,
    '    timeout connect 5s',
    '    timeout client 30s',
    '    timeout server 30s',
    ...(mode === 'tcp' ? ['    option splice-request', '    option splice-response'] : []),
    '',
  ];
}

export const haproxyHttpHead = (t: Tuning): string[] => haproxyHead(t, 'http');
export const haproxyTcpHead = (t: Tuning): string[] => haproxyHead(t, 'tcp');

function nginxHead(t: Tuning, module?: string): string[] {
  return [
    ...(module ? [`load_module ${module};`] : []),
    'daemon off;',
    'master_process on;',
    `worker_processes ${t.threads};`,
    'worker_rlimit_nofile 20000;',
    'pid {prefix}/nginx.pid;',
    'error_log {prefix}/error.log warn;',
    'events { worker_connections 10000; }',
  ];
}

/** An nginx http{} block around `servers`, with its temp paths inside the run's directory. */
export function nginxHttp(t: Tuning, upstreams: string[], servers: string[]): string {
  return [
    ...nginxHead(t),
    'http {',
    '    access_log off;',
    '    keepalive_requests 1000000;',
    '    keepalive_timeout 60s;',
    '    client_body_temp_path {prefix}/body;',
    '    proxy_temp_path {prefix}/proxy;',
    '    fastcgi_temp_path {prefix}/fastcgi;',
    '    uwsgi_temp_path {prefix}/uwsgi;',
    '    scgi_temp_path {prefix}/scgi;',
    '    proxy_http_version 1.1;',
    '    proxy_set_header Connection "";',
    // 16 KiB buffers like HAProxy's, in memory: nginx's default buffering, minus spooling
    // large bodies to temp files (measured here: the fastest nginx setting for 1 MiB bodies,
    // and no slower on small ones than proxy_buffering off).
    '    proxy_buffer_size 16k;',
    '    proxy_buffers 8 16k;',
    '    proxy_max_temp_file_size 0;',
    ...upstreams,
    ...servers,
    '}',
    '',
  ].join('\n');
}

export function nginxUpstream(name: string, port: number, keepalive = 256): string {
  return `    upstream ${name} { server 127.0.0.1:${port}; keepalive ${keepalive}; keepalive_requests 1000000; }`;
}

/** Whether nginx can run the L4 scenarios here (Debian ships stream as a module). */
export function nginxStreamMissing(): string | undefined {
  return existsSync(NGINX_STREAM_MODULE) ? undefined : `${NGINX_STREAM_MODULE} not found (optional: apt-get install -y libnginx-mod-stream)`;
}

export function nginxStream(t: Tuning, listen: number, upstream: number): string {
  return [
    ...nginxHead(t, NGINX_STREAM_MODULE),
    'stream {',
    `    server { listen 127.0.0.1:${listen}; proxy_pass 127.0.0.1:${upstream}; }`,
    '}',
    '',
  ].join('\n');
}
