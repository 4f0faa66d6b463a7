// The embedded configuration `npm start` runs: a frontend balancing over two `listen`
// sections that answer by themselves, so a newcomer can curl it with nothing else running.

export const DEMO_NAME = '<embedded demo>';

export const DEMO_CONFIG = `# Switchyard demo: curl http://127.0.0.1:8080/
global
    nbthread 2

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend demo
    bind 127.0.0.1:8080
    http-response set-header X-Served-By %[srv_name]
    default_backend apps

backend apps
    balance roundrobin
    server app1 127.0.0.1:8081
    server app2 127.0.0.1:8082

listen app1
    bind 127.0.0.1:8081
    http-request return status 200 content-type text/plain string "hello from app1"

listen app2
    bind 127.0.0.1:8082
    http-request return status 200 content-type text/plain string "hello from app2"
`;
