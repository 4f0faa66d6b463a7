// The embedded configuration `npm start` runs: a TCP frontend balancing round-robin over two
// small demo applications that the launcher starts beside it (src/demo/apps.ts), so a
// newcomer can `curl http://127.0.0.1:8080/` with nothing else running and watch the answers
// alternate. (With the HTTP engine, the apps become `listen` sections answering by themselves.)

export const DEMO_NAME = '<embedded demo>';

/** The demo listens on `base` and its two apps on base+1 and base+2. */
export function demoConfig(base: number): string {
  return `# Switchyard demo: curl http://127.0.0.1:${base}/ (answers alternate between app1 and app2)
global
    nbthread 2

defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend demo
    bind 127.0.0.1:${base}
    default_backend apps

backend apps
    balance roundrobin
    server app1 127.0.0.1:${base + 1}
    server app2 127.0.0.1:${base + 2}
`;
}

export const DEMO_PORT = 8080;
