// Catalog of `bind` line options for HAProxy 2.6.12 (manual section 5.1), with the number of words
// each option consumes. Plain data. Verified against /usr/sbin/haproxy 2.6.12 -c: every option was
// probed bare, followed by another option ("opt tfo" shows whether the next word is swallowed as the
// value), with a value, with a value but without "ssl", and followed by an unknown word.
//
// Facts established with the binary:
//  - an option with one argument ALWAYS swallows the next word, even if it is another keyword
//    ("backlog tfo" sets backlog from "tfo" silently; "name tfo" names the listener "tfo");
//  - SSL options (alpn, crt, ciphers, verify, ...) are accepted silently without "ssl" (they are
//    simply unused); "ssl" needs a certificate ("crt"/"crt-list");
//  - UNIX-socket options (mode, uid, gid, user, group) and stats-socket options (level, expose-fd,
//    severity-output) are accepted silently on TCP listeners too;
//  - the same parser serves `bind` in frontend / listen / peers ("default-bind") / log-forward; only
//    the section name in the messages changes.
//
// Messages: text after "[ALERT]    (PID) : config : ". Placeholders: {file} {line}, {addr} (the
// address word exactly as written after "bind"), {section} (frontend | listen | peers | log-forward),
// {proxy}, {kw} (the unknown word), {hint}.

export type BindOptionScope =
  /** listener.c: any address family */
  | 'ALL'
  /** cfgparse-tcp.c */
  | 'TCP'
  /** cfgparse-unix.c (UNIX sockets) */
  | 'UNIX'
  /** cli.c (stats sockets) */
  | 'STATS'
  /** cfgparse-ssl.c */
  | 'SSL'
  /** cfgparse-quic.c, not built into the reference binary */
  | 'QUIC';

export interface BindMessage {
  readonly severity: 'alert' | 'warning';
  readonly message: string;
}

export interface BindOption {
  readonly name: string;
  /** number of following words the option consumes */
  readonly args: 0 | 1;
  readonly scope: BindOptionScope;
  readonly syntax?: string;
  /** only meaningful together with "ssl" (but accepted without it, silently) */
  readonly requiresSsl?: boolean;
  readonly status: 'supported' | 'deprecated' | 'unavailable';
  readonly build?: string;
  /** deprecation warning / unavailable message */
  readonly message?: string;
  readonly severity?: 'alert' | 'warning';
  /** exact message(s) when the value is missing (option is the last word of the line) */
  readonly missingArg?: readonly BindMessage[];
  readonly note?: string;
}

export const BIND_OPTIONS: readonly BindOption[] = [
  {
    name: 'accept-netscaler-cip',
    scope: 'ALL',
    args: 1,
    syntax: 'accept-netscaler-cip <magic number>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'accept-netscaler-cip' : missing value" }],
    note: 'the value is parsed with atol: \'accept-netscaler-cip tfo\' consumes \'tfo\' and fails with "\'accept-netscaler-cip\' : invalid value 0, must be >= 0"',
  },
  { name: 'accept-proxy', scope: 'ALL', args: 0, syntax: 'accept-proxy', requiresSsl: false, status: 'supported' },
  {
    name: 'backlog',
    scope: 'ALL',
    args: 1,
    syntax: 'backlog <backlog>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'backlog' : missing value" }],
  },
  { name: 'defer-accept', scope: 'TCP', args: 0, syntax: 'defer-accept', requiresSsl: false, status: 'supported' },
  {
    name: 'expose-fd',
    scope: 'STATS',
    args: 1,
    syntax: 'expose-fd listeners',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'expose-fd' : missing fd type" }],
  },
  {
    name: 'gid',
    scope: 'UNIX',
    args: 1,
    syntax: 'gid <gid>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'gid' : missing value" }],
  },
  {
    name: 'group',
    scope: 'UNIX',
    args: 1,
    syntax: 'group <group>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'group' : missing group name" }],
  },
  {
    name: 'id',
    scope: 'ALL',
    args: 1,
    syntax: 'id <id>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'id' : expects an integer argument" }],
  },
  {
    name: 'interface',
    scope: 'TCP',
    args: 1,
    syntax: 'interface <interface>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'interface' : missing interface name" }],
  },
  {
    name: 'level',
    scope: 'STATS',
    args: 1,
    syntax: 'level <level>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'level' : missing level" }],
  },
  {
    name: 'maxconn',
    scope: 'ALL',
    args: 1,
    syntax: 'maxconn <maxconn>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'maxconn' : missing value" }],
  },
  {
    name: 'mode',
    scope: 'UNIX',
    args: 1,
    syntax: 'mode <mode>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [
      {
        severity: 'alert',
        message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'mode' : missing or invalid mode '' (octal integer expected)",
      },
    ],
  },
  {
    name: 'mss',
    scope: 'TCP',
    args: 1,
    syntax: 'mss <maxseg>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'mss' : missing MSS value" }],
  },
  {
    name: 'name',
    scope: 'ALL',
    args: 1,
    syntax: 'name <name>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'name' : missing name" }],
  },
  {
    name: 'namespace',
    scope: 'TCP',
    args: 1,
    syntax: 'namespace <name>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'namespace' : missing namespace id" }],
    note: 'opening the namespace happens at parse time: ALERT "Cannot open namespace \'<name>\'." then "parsing [{file}:{line}] : \'bind {addr}\' in section \'{section}\' : error encountered while processing \'namespace\'."',
  },
  {
    name: 'nice',
    scope: 'ALL',
    args: 1,
    syntax: 'nice <nice>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'nice' : missing value" }],
  },
  {
    name: 'process',
    scope: 'ALL',
    args: 1,
    syntax: 'process <process-set>[/<thread-set>]',
    requiresSsl: false,
    status: 'deprecated',
    message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'process 1' on 'bind' lines is deprecated and will be removed in 2.7.",
    severity: 'warning',
    missingArg: [
      {
        severity: 'alert',
        message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'process' : '' is not a valid number/range. It supports numbers from 1 to 1.",
      },
    ],
  },
  {
    name: 'proto',
    scope: 'ALL',
    args: 1,
    syntax: 'proto <name>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'proto' : missing value" }],
    note: 'unknown mux: "parsing [{file}:{line}] : \'bind {addr}\' in section \'{section}\' : \'proto\' :  unknown MUX protocol \'<name>\'" (two spaces after \'proto\' :)',
  },
  {
    name: 'severity-output',
    scope: 'STATS',
    args: 1,
    syntax: 'severity-output <format>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'severity-output' : missing severity format" }],
  },
  {
    name: 'shards',
    scope: 'ALL',
    args: 1,
    syntax: 'shards <number> | by-thread',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'shards' : missing value" }],
  },
  {
    name: 'tcp-ut',
    scope: 'TCP',
    args: 1,
    syntax: 'tcp-ut <delay>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'tcp-ut' : missing TCP User Timeout value" }],
  },
  { name: 'tfo', scope: 'TCP', args: 0, syntax: 'tfo', requiresSsl: false, status: 'supported' },
  {
    name: 'thread',
    scope: 'ALL',
    args: 1,
    syntax: 'thread [<thread-group>/]<thread-set>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [
      {
        severity: 'alert',
        message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : '' : '' is not a valid number/range. It supports numbers from 1 to 64.",
      },
    ],
    note: 'accepts [<group>/]<thread-set>',
  },
  { name: 'transparent', scope: 'TCP', args: 0, syntax: 'transparent', requiresSsl: false, status: 'supported' },
  {
    name: 'uid',
    scope: 'UNIX',
    args: 1,
    syntax: 'uid <uid>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'uid' : missing value" }],
  },
  {
    name: 'user',
    scope: 'UNIX',
    args: 1,
    syntax: 'user <user>',
    requiresSsl: false,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'user' : missing user name" }],
  },
  { name: 'v4v6', scope: 'TCP', args: 0, syntax: 'v4v6', requiresSsl: false, status: 'supported' },
  { name: 'v6only', scope: 'TCP', args: 0, syntax: 'v6only', requiresSsl: false, status: 'supported' },
  { name: 'allow-0rtt', scope: 'SSL', args: 0, syntax: 'allow-0rtt', requiresSsl: true, status: 'supported' },
  {
    name: 'alpn',
    scope: 'SSL',
    args: 1,
    syntax: 'alpn <protocols>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [
      {
        severity: 'alert',
        message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'alpn' : missing the comma-delimited ALPN protocol suite",
      },
    ],
  },
  {
    name: 'ca-file',
    scope: 'SSL',
    args: 1,
    syntax: 'ca-file <cafile>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ca-file' : missing CAfile path" }],
  },
  {
    name: 'ca-ignore-err',
    scope: 'SSL',
    args: 1,
    syntax: 'ca-ignore-err [all|<errorID>,...]',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ca-ignore-err' : missing error IDs list" }],
  },
  {
    name: 'ca-sign-file',
    scope: 'SSL',
    args: 1,
    syntax: 'ca-sign-file <cafile>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ca-sign-file' : missing CAfile path" }],
  },
  {
    name: 'ca-sign-pass',
    scope: 'SSL',
    args: 1,
    syntax: 'ca-sign-pass <passphrase>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ca-sign-pass' : missing CAkey password" }],
  },
  {
    name: 'ca-verify-file',
    scope: 'SSL',
    args: 1,
    syntax: 'ca-verify-file <cafile>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ca-verify-file' : missing CAfile path" }],
  },
  {
    name: 'ciphers',
    scope: 'SSL',
    args: 1,
    syntax: 'ciphers <ciphers>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ciphers' : missing cipher suite" }],
  },
  {
    name: 'ciphersuites',
    scope: 'SSL',
    args: 1,
    syntax: 'ciphersuites <ciphersuites>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ciphersuites' : missing cipher suite" }],
  },
  {
    name: 'crl-file',
    scope: 'SSL',
    args: 1,
    syntax: 'crl-file <crlfile>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'crl-file' : missing CRLfile path" }],
  },
  {
    name: 'crt',
    scope: 'SSL',
    args: 1,
    syntax: 'crt <cert>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'crt' : missing certificate location" }],
    note: 'the file is loaded at parse time: "parsing [{file}:{line}] : \'bind {addr}\' in section \'{section}\' : unable to stat SSL certificate from file \'<path>\' : No such file or directory."',
  },
  {
    name: 'crt-ignore-err',
    scope: 'SSL',
    args: 1,
    syntax: 'crt-ignore-err <errors>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'crt-ignore-err' : missing error IDs list" }],
  },
  {
    name: 'crt-list',
    scope: 'SSL',
    args: 1,
    syntax: 'crt-list <file>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'crt-list' : missing certificate location" }],
  },
  {
    name: 'curves',
    scope: 'SSL',
    args: 1,
    syntax: 'curves <curves>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'curves' : missing curve suite" }],
  },
  {
    name: 'ecdhe',
    scope: 'SSL',
    args: 1,
    syntax: 'ecdhe <named curve>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ecdhe' : missing named curve" }],
  },
  {
    name: 'force-sslv3',
    scope: 'SSL',
    args: 0,
    syntax: 'force-sslv3',
    requiresSsl: true,
    status: 'supported',
    note: 'with the reference OpenSSL build this disables every version: post-parse ALERT "Proxy \'{proxy}\': all SSL/TLS versions are disabled for bind \'{addr}\' at [{file}:{line}]."',
  },
  { name: 'force-tlsv10', scope: 'SSL', args: 0, syntax: 'force-tlsv10', requiresSsl: true, status: 'supported' },
  { name: 'force-tlsv11', scope: 'SSL', args: 0, syntax: 'force-tlsv11', requiresSsl: true, status: 'supported' },
  { name: 'force-tlsv12', scope: 'SSL', args: 0, syntax: 'force-tlsv12', requiresSsl: true, status: 'supported' },
  { name: 'force-tlsv13', scope: 'SSL', args: 0, syntax: 'force-tlsv13', requiresSsl: true, status: 'supported' },
  {
    name: 'generate-certificates',
    scope: 'SSL',
    args: 0,
    syntax: 'generate-certificates',
    requiresSsl: true,
    status: 'supported',
    note: 'needs \'ca-sign-file\', else post-parse ALERT "Proxy \'{proxy}\': cannot enable certificate generation, no CA certificate File configured at [{file}:{line}]."',
  },
  { name: 'no-ca-names', scope: 'SSL', args: 0, syntax: 'no-ca-names', requiresSsl: true, status: 'supported' },
  { name: 'no-sslv3', scope: 'SSL', args: 0, syntax: 'no-sslv3', requiresSsl: true, status: 'supported' },
  { name: 'no-tls-tickets', scope: 'SSL', args: 0, syntax: 'no-tls-tickets', requiresSsl: true, status: 'supported' },
  { name: 'no-tlsv10', scope: 'SSL', args: 0, syntax: 'no-tlsv10', requiresSsl: true, status: 'supported' },
  { name: 'no-tlsv11', scope: 'SSL', args: 0, syntax: 'no-tlsv11', requiresSsl: true, status: 'supported' },
  { name: 'no-tlsv12', scope: 'SSL', args: 0, syntax: 'no-tlsv12', requiresSsl: true, status: 'supported' },
  { name: 'no-tlsv13', scope: 'SSL', args: 0, syntax: 'no-tlsv13', requiresSsl: true, status: 'supported' },
  {
    name: 'npn',
    scope: 'SSL',
    args: 1,
    syntax: 'npn <protocols>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [
      {
        severity: 'alert',
        message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'npn' : missing the comma-delimited NPN protocol suite",
      },
    ],
  },
  { name: 'prefer-client-ciphers', scope: 'SSL', args: 0, syntax: 'prefer-client-ciphers', requiresSsl: true, status: 'supported' },
  {
    name: 'ssl-max-ver',
    scope: 'SSL',
    args: 1,
    syntax: 'ssl-max-ver [ SSLv3 | TLSv1.0 | TLSv1.1 | TLSv1.2 | TLSv1.3 ]',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ssl-max-ver' : missing the ssl/tls version" }],
  },
  {
    name: 'ssl-min-ver',
    scope: 'SSL',
    args: 1,
    syntax: 'ssl-min-ver [ SSLv3 | TLSv1.0 | TLSv1.1 | TLSv1.2 | TLSv1.3 ]',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'ssl-min-ver' : missing the ssl/tls version" }],
  },
  { name: 'strict-sni', scope: 'SSL', args: 0, syntax: 'strict-sni', requiresSsl: true, status: 'supported' },
  {
    name: 'tls-ticket-keys',
    scope: 'SSL',
    args: 1,
    syntax: 'tls-ticket-keys <keyfile>',
    requiresSsl: true,
    status: 'supported',
    missingArg: [
      {
        severity: 'alert',
        message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'tls-ticket-keys' : missing TLS ticket keys file path",
      },
    ],
    note: 'the file must hold at least 3 keys, else ALERT "parsing [{file}:{line}] : \'bind {addr}\' in section \'{section}\' : \'<path>\' : please supply at least 3 keys in the tls-tickets-file"',
  },
  {
    name: 'verify',
    scope: 'SSL',
    args: 1,
    syntax: 'verify [none|optional|required]',
    requiresSsl: true,
    status: 'supported',
    missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : 'verify' : missing verify method" }],
  },
  {
    name: 'ssl',
    scope: 'SSL',
    args: 0,
    syntax: 'ssl',
    requiresSsl: false,
    status: 'supported',
    note: 'without \'crt\'/\'crt-list\' the post-parse ALERT is "Proxy \'{proxy}\': no SSL certificate specified for bind \'{addr}\' at [{file}:{line}] (use \'crt\')." (fatal)',
  },
  {
    name: 'quic-cc-algo',
    scope: 'QUIC',
    args: 1,
    status: 'unavailable',
    build: 'USE_QUIC',
    message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}': unknown keyword 'quic-cc-algo'.",
    syntax: 'quic-cc-algo [ cubic | newreno ]',
  },
  {
    name: 'quic-force-retry',
    scope: 'QUIC',
    args: 0,
    status: 'unavailable',
    build: 'USE_QUIC',
    message: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}': unknown keyword 'quic-force-retry'.",
    syntax: 'quic-force-retry',
  },
];

export const BIND_MESSAGES = {
  unknownWithHint: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}': unknown keyword '{kw}'; did you mean '{hint}' maybe ?",
  unknown: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}': unknown keyword '{kw}'.",
  /** option registered but its parser not compiled in */
  notImplemented: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : '{kw}' option is not implemented in this version (check build options).",
  /** generic wrapper of an option parser's own error text */
  optionError: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : {error}",
  /** parser failed without text */
  optionErrorNoText: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : error encountered while processing '{kw}'.",
  missingAddress: "parsing [{file}:{line}] : 'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.",
  badPort: "parsing [{file}:{line}] : 'bind' : invalid character '{char}' in port number '{port}' in '{addr}'",
  quicNotBuilt: "parsing [{file}:{line}] : 'bind' : unsupported stream protocol for datagram family 2 address '{addr}'; QUIC is not compiled in if this is what you were looking for.",
  mixedProtocols: "parsing [{file}:{line}] : 'bind {addr}' in section '{section}' : cannot mix datagram and stream protocols.",
  inDefaults: "parsing [{file}:{line}] : 'bind' not allowed in 'defaults' section.",
  inBackend: "parsing [{file}:{line}] : 'bind' ignored because backend '{proxy}' has no frontend capability.",
} as const;


// "did you mean" candidates for bind lines = the registered bind keywords only (every BIND_OPTIONS
// entry whose status is not 'unavailable'); there is no extra list.
