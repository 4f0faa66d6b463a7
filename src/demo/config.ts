// The embedded configuration `npm start` runs: an HTTP frontend balancing round-robin over
// two `listen` sections that answer by themselves (`http-request return`), so a newcomer can
// `curl http://127.0.0.1:8080/` with nothing else running and watch the answers alternate.
// Everything in it is plain HAProxy configuration: `haproxy -f` runs it the same way.

export const DEMO_NAME = '<embedded demo>';

/** The demo listens on `base`, and its two applications on base+1 and base+2. */
export function demoConfig(base: number): string {
  return `# Switchyard demo: curl -i http://127.0.0.1:${base}/hello (answers alternate between app1 and app2)
global
    nbthread 2
    # Each request the demo frontend receives is logged here (without a log format, as
    # HAProxy does: "Connect from ... (demo/HTTP)").
    log stdout format raw local0

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend demo
    log global
    bind 127.0.0.1:${base}
    # Refuse what the demo does not serve, before it reaches a backend.
    http-request deny deny_status 405 unless METH_GET or METH_HEAD
    default_backend apps

backend apps
    balance roundrobin
    option forwardfor
    http-response set-header X-Served-By %[srv_name]
    server app1 127.0.0.1:${base + 1}
    server app2 127.0.0.1:${base + 2}

# The two "applications": proxies that answer every request themselves.
listen app1
    bind 127.0.0.1:${base + 1}
    http-request return status 200 content-type text/plain lf-string "hello from app1 (you asked for %[path], from %[req.hdr(x-forwarded-for)])\\n"

listen app2
    bind 127.0.0.1:${base + 2}
    http-request return status 200 content-type text/plain lf-string "hello from app2 (you asked for %[path], from %[req.hdr(x-forwarded-for)])\\n"
`;
}

export const DEMO_PORT = 8080;
