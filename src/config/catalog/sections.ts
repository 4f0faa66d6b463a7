// Top-level sections of an HAProxy 2.6.12 configuration and the keywords valid inside the
// non-proxy ones. Plain data. Section list from the 2.6 sources (REGISTER_CONFIG_SECTION) and
// checked with /usr/sbin/haproxy -c; every keyword was probed bare, with a value and with extra words.
//
// How HAProxy finds sections: indentation is meaningless. A line whose first word is a section
// name starts that section; any other line belongs to the current section. Before the first
// section an unknown word gives UNKNOWN_OUT_OF_SECTION; after a section has started, a mistyped
// section name is just an unknown keyword of the current section (in `global` the hint can even
// be the section name: "unknown keyword 'frontned' in 'global' section; did you mean 'frontend'
// maybe ?"). spoe-agent/spoe-group/spoe-message and ot-* sections exist only inside the SPOE /
// OpenTracing filter configuration files, not in the main file.
//
// Messages: text after "[ALERT]    (PID) : config : ". Placeholders {file} {line} {kw} {name}
// {arg} {sub} {char} {hint}.

export type SectionName =
  | 'global'
  | 'defaults'
  | 'frontend'
  | 'listen'
  | 'backend'
  | 'userlist'
  | 'peers'
  | 'resolvers'
  | 'cache'
  | 'http-errors'
  | 'mailers'
  | 'program'
  | 'ring'
  | 'log-forward'
  | 'fcgi-app'
  | 'namespace_list';

export interface SectionMessage {
  readonly severity: 'alert' | 'warning';
  readonly message: string;
}

export interface SectionKeyword {
  readonly name: string;
  readonly syntax?: string;
  /** words HAProxy requires after the keyword (0 = bare keyword accepted) */
  readonly minArgs: number;
  /** null = not bounded / not checked */
  readonly maxArgs: number | null;
  /** accepted sub-keywords / option names / values */
  readonly options?: readonly string[];
  /** table describing the options of this line */
  readonly optionsTable?: string;
  /** `no <kw> ...` accepted */
  readonly noPrefix?: boolean;
  readonly status?: 'supported' | 'removed';
  readonly message?: string;
  readonly missingArg?: readonly SectionMessage[];
  readonly extraArgsMessage?: string;
  readonly note?: string;
}

export interface SectionDef {
  readonly name: SectionName;
  readonly kind: 'global' | 'proxy' | 'other';
  /** manual section */
  readonly manual: string;
  /** does the header line take a name */
  readonly nameArg: 'none' | 'optional' | 'required';
  readonly headerMessages?: Readonly<Record<string, string>>;
  readonly unknownKeyword?: string;
  readonly unknownKeywordWithHint?: string;
  /** where the keywords of global / proxy sections are catalogued */
  readonly keywordTable?: string;
  readonly keywords?: readonly SectionKeyword[];
  /** other messages specific to the section (mostly post-parse, without location) */
  readonly messages?: Readonly<Record<string, string>>;
  readonly note?: string;
}

export const SECTIONS: readonly SectionDef[] = [
  {
    name: 'global',
    kind: 'global',
    manual: '3',
    nameArg: 'none',
    headerMessages: { tooManyArgs: "parsing [{file}:{line}] : 'global' cannot handle unexpected argument '{arg}'." },
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'global' section",
    unknownKeywordWithHint: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'global' section; did you mean '{hint}' maybe ?",
    keywordTable: 'GLOBAL_KEYWORDS (global.ts)',
  },
  {
    name: 'defaults',
    kind: 'proxy',
    manual: '4',
    nameArg: 'optional',
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'defaults' section",
    unknownKeywordWithHint: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'defaults' section; did you mean '{hint}' maybe ?",
    keywordTable: 'PROXY_KEYWORDS / OPTIONS / TIMEOUTS (proxy.ts)',
    note: "the name is optional ('defaults' alone = anonymous); 'defaults NAME from OTHER' inherits; extra words are ignored",
  },
  {
    name: 'frontend',
    kind: 'proxy',
    manual: '4',
    nameArg: 'required',
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'frontend' section",
    unknownKeywordWithHint: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'frontend' section; did you mean '{hint}' maybe ?",
    keywordTable: 'PROXY_KEYWORDS / OPTIONS / TIMEOUTS (proxy.ts)',
    headerMessages: {
      missingName: "parsing [{file}:{line}] : 'frontend' expects an <id> argument",
      badNameChar: "parsing [{file}:{line}] : character '{char}' is not permitted in 'frontend' name '{name}'.",
      inlineAddress: "parsing [{file}:{line}] : please use the 'bind' keyword for listening addresses.",
    },
    note: '\'frontend NAME from DEFAULTS\' selects a named defaults section; missing one: "parsing [{file}:{line}] : defaults section \'X\' not found for frontend \'NAME\'." (parse error, aborts); a word after the name is taken as an address and refused (inlineAddress) and the following lines of that section then fail with "\'listen\' or \'defaults\' expected."',
  },
  {
    name: 'listen',
    kind: 'proxy',
    manual: '4',
    nameArg: 'required',
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'listen' section",
    unknownKeywordWithHint: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'listen' section; did you mean '{hint}' maybe ?",
    keywordTable: 'PROXY_KEYWORDS / OPTIONS / TIMEOUTS (proxy.ts)',
    headerMessages: {
      missingName: "parsing [{file}:{line}] : 'listen' expects an <id> argument",
      badNameChar: "parsing [{file}:{line}] : character '{char}' is not permitted in 'listen' name '{name}'.",
      inlineAddress: "parsing [{file}:{line}] : please use the 'bind' keyword for listening addresses.",
    },
    note: '\'listen NAME from DEFAULTS\' selects a named defaults section; missing one: "parsing [{file}:{line}] : defaults section \'X\' not found for proxy \'NAME\'." (listen sections are called proxy); a word after the name is taken as an address and refused (inlineAddress) and the following lines of that section then fail with "\'listen\' or \'defaults\' expected."',
  },
  {
    name: 'backend',
    kind: 'proxy',
    manual: '4',
    nameArg: 'required',
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'backend' section",
    unknownKeywordWithHint: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'backend' section; did you mean '{hint}' maybe ?",
    keywordTable: 'PROXY_KEYWORDS / OPTIONS / TIMEOUTS (proxy.ts)',
    headerMessages: {
      missingName: "parsing [{file}:{line}] : 'backend' expects an <id> argument",
      badNameChar: "parsing [{file}:{line}] : character '{char}' is not permitted in 'backend' name '{name}'.",
    },
    note: '\'backend NAME from DEFAULTS\' selects a named defaults section; missing one: "parsing [{file}:{line}] : defaults section \'X\' not found for backend \'NAME\'." (parse error, aborts); extra words after the name are silently ignored',
  },
  {
    name: 'userlist',
    kind: 'other',
    manual: '3.4',
    nameArg: 'required',
    headerMessages: {
      missingName: "parsing [{file}:{line}]: 'userlist' expects <name> as arguments.",
      tooManyArgs: "parsing [{file}:{line}] : 'userlist' cannot handle unexpected argument '{arg}'.",
    },
    unknownKeyword: "parsing [{file}:{line}]: unknown keyword '{kw}' in 'users' section",
    keywords: [
      {
        name: 'group',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}]: 'group' expects <name> as arguments." }],
        syntax: 'group <groupname> [users <user>,<user>,(...)]',
        options: ['users'],
        extraArgsMessage: "parsing [{file}:{line}]: 'group' only supports 'users' option.",
      },
      {
        name: 'user',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}]: 'user' expects <name> as arguments." }],
        syntax: 'user <username> [password|insecure-password <password>] [groups <group>,<group>,(...)]',
        options: ['password', 'insecure-password', 'groups'],
        extraArgsMessage: "parsing [{file}:{line}]: 'user' only supports 'password', 'insecure-password' and 'groups' options.",
      },
    ],
    note: "the unknown-keyword text says 'users' (not 'userlist') and has no hint",
  },
  {
    name: 'peers',
    kind: 'other',
    manual: '3.5',
    nameArg: 'required',
    headerMessages: {
      missingName: 'parsing [{file}:{line}] : missing name for peers section.',
      tooManyArgs: "parsing [{file}:{line}] : 'peers' cannot handle unexpected argument '{arg}'.",
    },
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'peers' section",
    keywords: [
      {
        name: 'bind',
        minArgs: 1,
        maxArgs: null,
        syntax: 'bind [<address>]:port [param*]',
        optionsTable: 'BIND_OPTIONS (bind-options.ts)',
        note: 'bare \'bind\' in peers crashes haproxy 2.6.12 -c ("double free or corruption (out)", SIGABRT)',
      },
      {
        name: 'default-bind',
        minArgs: 0,
        maxArgs: null,
        syntax: 'default-bind [param*]',
        optionsTable: 'BIND_OPTIONS (bind-options.ts)',
        note: 'unknown option: "\'default-bind <first word>\' in section \'peers\': unknown keyword \'X\'."',
      },
      { name: 'default-server', minArgs: 0, maxArgs: null, syntax: 'default-server [param*]', optionsTable: 'SERVER_OPTIONS (server-options.ts)' },
      { name: 'disabled', minArgs: 0, maxArgs: null, note: 'extra words ignored' },
      { name: 'enabled', minArgs: 0, maxArgs: null, note: 'extra words ignored' },
      {
        name: 'log',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: 'parsing [{file}:{line}] : log : expects <address> and <facility> or global as arguments' }],
        syntax: 'log <address> [len <length>] [format <format>] <facility> [<level> [<minlevel>]]',
      },
      {
        name: 'peer',
        minArgs: 0,
        maxArgs: null,
        syntax: 'peer <peername> [<address>]:port [param*]',
        note: 'bare \'peer\' is silently accepted; a duplicate local peer gives "[{file}:{line}] : parsing [{file}:{line2}] : \'peer NAME\' : local peer name already referenced at {file}:{line}. NAME"',
      },
      {
        name: 'server',
        minArgs: 0,
        maxArgs: null,
        syntax: 'server <peername> [<address>:<port>] [param*]',
        note: 'unknown option text: "[{file}:{line}] : \'server (null)/NAME\' : unknown keyword \'X\'." (the peers proxy has no name yet)',
      },
      {
        name: 'table',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: 'parsing [{file}:{line}] : table: missing size.' }],
        syntax: 'table <tablename> type {ip | integer | string [len <length>] | binary [len <length>]} size <size> [expire <expire>] [nopurge] [store <data_type>]*',
      },
    ],
    messages: { mixedPeerBind: 'parsing [{file}:{line}] : mixing "peer" and "bind" line is forbidden' },
    note: "'shards' (2.9+) is unknown in 2.6.12",
  },
  {
    name: 'resolvers',
    kind: 'other',
    manual: '5.3.2',
    nameArg: 'required',
    headerMessages: { missingName: 'parsing [{file}:{line}] : missing name for resolvers section.' },
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'resolvers' section",
    keywords: [
      {
        name: 'nameserver',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'nameserver' expects <name> and <addr>[:<port>] as arguments." }],
        syntax: 'nameserver <name> <address>[:port] [param*]',
      },
      { name: 'parse-resolv-conf', minArgs: 0, maxArgs: null },
      {
        name: 'hold',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'hold' expects an <event> and a <time> as arguments." }],
        syntax: 'hold <status> <period>',
        options: ['nx', 'other', 'refused', 'timeout', 'valid', 'obsolete'],
      },
      {
        name: 'accepted_payload_size',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'accepted_payload_size' expects <nb> as argument." }],
        syntax: 'accepted_payload_size <nb>',
      },
      {
        name: 'resolve_retries',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'resolve_retries' expects <nb> as argument." }],
        syntax: 'resolve_retries <nb>',
      },
      {
        name: 'timeout',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'timeout' expects 'retry' or 'resolve' and <time> as arguments." }],
        syntax: 'timeout <event> <time>',
        options: ['resolve', 'retry'],
      },
      {
        name: 'resolution_pool_size',
        minArgs: 0,
        maxArgs: null,
        status: 'removed',
        message: "parsing [{file}:{line}] : 'resolution_pool_size' directive is not supported anymore (it never appeared in a stable release).",
      },
    ],
    messages: { noNameserver: "resolvers '{name}' [{file}:{line}] has no nameservers configured!" },
    note: "'resolvers NAME extra' ignores the extra word; a section without nameserver gives the post-parse WARNING noNameserver",
  },
  {
    name: 'cache',
    kind: 'other',
    manual: '6.2.1',
    nameArg: 'required',
    headerMessages: {
      missingName: "parsing [{file}:{line}] : 'cache' expects a <name> argument",
      tooManyArgs: "parsing [{file}:{line}] : 'cache' cannot handle unexpected argument '{arg}'.",
    },
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'cache' section",
    keywords: [
      {
        name: 'total-max-size',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'warning', message: "parsing [{file}:{line}]: total-max-size wrong value ''" }],
        syntax: 'total-max-size <megabytes>',
      },
      {
        name: 'max-object-size',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [
          { severity: 'warning', message: "parsing [{file}:{line}]: 'max-object-size' expects a maximum file size parameter in bytes." },
          { severity: 'warning', message: "parsing [{file}:{line}]: max-object-size wrong value ''" },
        ],
        syntax: 'max-object-size <bytes>',
      },
      {
        name: 'max-age',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'warning', message: "parsing [{file}:{line}]: 'max-age' expects an age parameter in seconds." }],
        syntax: 'max-age <seconds>',
        note: 'bare: WARNING only ("\'max-age\' expects an age parameter in seconds."), config stays valid',
      },
      {
        name: 'process-vary',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [
          { severity: 'warning', message: 'parsing [{file}:{line}]: \'process-vary\' expects "on" or "off" (enable or disable vary processing).' },
          { severity: 'warning', message: 'parsing [{file}:{line}]: \'process-vary\' expects "on" or "off" (enable or disable vary processing).' },
        ],
        syntax: 'process-vary <on/off>',
        note: 'bare: the WARNING is printed twice, config stays valid',
      },
      {
        name: 'max-secondary-entries',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [
          { severity: 'warning', message: "parsing [{file}:{line}]: 'max-secondary-entries' expects a strictly positive number." },
          { severity: 'warning', message: "parsing [{file}:{line}]: max-secondary-entries wrong value ''" },
        ],
        syntax: 'max-secondary-entries <number>',
      },
    ],
    messages: { noSize: "Size not specified for cache '{name}'" },
    note: 'argument errors in cache keywords are printed as WARNINGs although most make the config invalid (exit 1)',
  },
  {
    name: 'http-errors',
    kind: 'other',
    manual: '3.8',
    nameArg: 'required',
    headerMessages: { missingName: 'parsing [{file}:{line}] : missing name for http-errors section.' },
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'http-errors' section",
    keywords: [
      {
        name: 'errorfile',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: 'parsing [{file}:{line}] : errorfile: expects <status_code> and <file> as arguments.' }],
        syntax: 'errorfile <code> <file>',
      },
    ],
  },
  {
    name: 'mailers',
    kind: 'other',
    manual: '3.6',
    nameArg: 'required',
    headerMessages: { missingName: 'parsing [{file}:{line}] : missing name for mailers section.' },
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'mailers' section",
    keywords: [
      {
        name: 'mailer',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'mailer' expects <name> and <addr>[:<port>] as arguments." }],
        syntax: 'mailer <mailername> <ip>:<port>',
      },
      {
        name: 'timeout',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'timeout' expects 'mail' and <time> as arguments." }],
        syntax: 'timeout mail <time>',
        options: ['mail'],
      },
    ],
    messages: { unused: "Removing incomplete section 'mailers {name}'." },
    note: "a mailers section not referenced by any 'email-alert mailers' gives the post-parse WARNING unused",
  },
  {
    name: 'program',
    kind: 'other',
    manual: '3.7',
    nameArg: 'required',
    headerMessages: {
      missingName: "parsing [{file}:{line}] : 'program' expects an <id> argument",
      tooManyArgs: "parsing [{file}:{line}] : 'program' cannot handle unexpected argument '{arg}'.",
    },
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in 'program' section",
    keywords: [
      {
        name: 'command',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}]: 'command' expects a command with optional arguments separated in words." }],
        syntax: 'command <command> [arguments*]',
      },
      {
        name: 'option',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}]: 'option' expects an option name." }],
        syntax: '[no] option start-on-reload',
        options: ['start-on-reload'],
        noPrefix: true,
        extraArgsMessage: "parsing [{file}:{line}] : unknown option '{sub}'.",
      },
      {
        name: 'user',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}]: 'user' expects a user name." }],
        syntax: 'user <user name>',
      },
      {
        name: 'group',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}]: 'group' expects a group name." }],
        syntax: 'group <group name>',
      },
    ],
    messages: { needsMasterWorker: "Can't use a 'program' section without master worker mode." },
    note: "without 'master-worker' (global) or -W every program section is a post-parse ALERT needsMasterWorker; haproxy 2.6.12 -c segfaults on a bare 'option', 'user' or 'group' line in a program section and on 'option start-on-reload X'",
  },
  {
    name: 'ring',
    kind: 'other',
    manual: '3.9',
    nameArg: 'required',
    headerMessages: {
      missingName: 'parsing [{file}:{line}] : missing ring name.',
      badName: "parsing [{file}:{line}] : invalid ring name '{name}' (character '{char}' is not permitted).",
      duplicate: "parsing [{file}:{line}] : sink named '{name}' already exists.",
    },
    unknownKeyword: "parsing [{file}:{line}] : unknown statement '{kw}'.",
    keywords: [
      {
        name: 'description',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: 'parsing [{file}:{line}] : missing ring description text.' }],
      },
      {
        name: 'format',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : unknown format ''." }],
        options: ['iso', 'local', 'raw', 'rfc3164', 'rfc5424', 'short', 'priority', 'timed'],
      },
      {
        name: 'maxlen',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : invalid size '' for new sink buffer." }],
      },
      {
        name: 'size',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : invalid size '' for new sink buffer." }],
      },
      {
        name: 'timeout',
        minArgs: 0,
        maxArgs: null,
        syntax: 'timeout connect|server <timeout>',
        options: ['connect', 'server'],
        note: 'bare / unknown sub-keyword is silently accepted',
      },
      {
        name: 'server',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "[{file}:{line}] : 'server' expects <name> and <addr>[:<port>] as arguments." }],
        syntax: 'server <name> <address> [param*]',
        optionsTable: 'SERVER_OPTIONS (server-options.ts)',
        note: "a ring with servers is a backend named like the ring: the missing-timeouts WARNING appears for backend '<ring>'",
      },
    ],
    note: "'ring NAME extra' ignores the extra word; extra words after description/format/maxlen/size are ignored",
  },
  {
    name: 'log-forward',
    kind: 'other',
    manual: '3.10',
    nameArg: 'required',
    headerMessages: {
      missingName: 'parsing [{file}:{line}] : missing name for ip-forward section.',
      tooManyArgs: "parsing [{file}:{line}] : 'log-forward' cannot handle unexpected argument '{arg}'.",
    },
    unknownKeyword: "parsing [{file}:{line}] : unknown keyword '{kw}' in log-forward section.",
    keywords: [
      {
        name: 'maxconn',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'maxconn' expects an integer argument." }],
      },
      {
        name: 'backlog',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'backlog' expects an integer argument." }],
      },
      { name: 'bind', minArgs: 1, maxArgs: null, optionsTable: 'BIND_OPTIONS (bind-options.ts)' },
      {
        name: 'dgram-bind',
        minArgs: 1,
        maxArgs: null,
        note: 'dgram-bind options: unknown one gives "parsing [{file}:{line}] : unknown keyword \'X\' in \'log-forward\' section; did you mean \'Y\' maybe ?" / "... section."',
      },
      {
        name: 'log',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: 'parsing [{file}:{line}] : log : expects <address> and <facility> or global as arguments' }],
      },
      {
        name: 'timeout',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : unknown keyword 'timeout ' in log-forward section." }],
        syntax: 'timeout client <timeout>',
        options: ['client'],
        note: 'bare or wrong sub-keyword: "parsing [{file}:{line}] : unknown keyword \'timeout X\' in log-forward section." (X empty gives \'timeout \')',
      },
    ],
    messages: { noBind: "frontend '{name}' has no 'bind' directive. Please declare it as a backend if this was intended." },
    note: 'the first error in a log-forward section stops the parsing of the whole file (ERR_ABORT)',
  },
  {
    name: 'fcgi-app',
    kind: 'other',
    manual: '10.1.1',
    nameArg: 'required',
    headerMessages: {
      missingName: "parsing [{file}:{line}]: 'fcgi-app' expects <name> as argument.",
      tooManyArgs: "parsing [{file}:{line}] : 'fcgi-app' cannot handle unexpected argument '{arg}'.",
    },
    unknownKeyword: "parsing [{file}:{line}]: unknown keyword '{kw}' in 'fcgi-app' section",
    keywords: [
      {
        name: 'docroot',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'docroot' expects <path> as argument." }],
      },
      {
        name: 'index',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'index' expects <filename> as argument." }],
      },
      {
        name: 'path-info',
        minArgs: 1,
        maxArgs: 1,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'path-info' expects <regex> as argument." }],
      },
      { name: 'acl', minArgs: 2, maxArgs: null, note: 'bare \'acl\' prints the truncated text "character \'" like in proxies' },
      {
        name: 'set-param',
        minArgs: 2,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'set-param' expects <name> and <value> as arguments." }],
        syntax: 'set-param <name> <fmt> [ { if | unless } <condition> ]',
      },
      {
        name: 'pass-header',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}] : 'pass-header' expects <name> as arguments." }],
        syntax: 'pass-header <name> [ { if | unless } <condition> ]',
      },
      {
        name: 'option',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: "parsing [{file}:{line}]: 'option' expects an option name." }],
        options: ['keep-conn', 'get-values', 'mpxs-conns', 'max-reqs'],
        noPrefix: true,
      },
      {
        name: 'log-stderr',
        minArgs: 1,
        maxArgs: null,
        missingArg: [{ severity: 'alert', message: 'parsing [{file}:{line}] : log-stderr : expects <address> and <facility> or global as arguments' }],
      },
    ],
    messages: { noDocroot: "fcgi-app '{name}': no docroot configured." },
    note: "'hide-header' and 'unset-param' are compiled out in 2.6 (unknown keyword)",
  },
  {
    name: 'namespace_list',
    kind: 'other',
    manual: 'undocumented',
    nameArg: 'none',
    keywords: [
      {
        name: 'namespace',
        minArgs: 0,
        maxArgs: null,
        note: 'opens the namespace at parse time: "parsing [{file}:{line}]: Cannot open namespace \'NAME\'."',
      },
    ],
    note: 'undocumented section (USE_NS); unknown keywords inside it are silently ignored, arguments of the header are ignored',
  },
];

/** A word before any section header (indentation does not matter). */
export const UNKNOWN_OUT_OF_SECTION = "parsing [{file}:{line}]: unknown keyword '{kw}' out of section." as const;

/** Sections that exist only in secondary files loaded by filters, unknown in the main file. */
export const NOT_MAIN_FILE_SECTIONS: readonly string[] = ['spoe-agent', 'spoe-group', 'spoe-message', 'ot-tracer', 'ot-scope', 'ot-group'];

/** `no X` / `default X` on a keyword other than option, log, busy-polling, set-dumpable,
 * strict-limits, insecure-fork-wanted, numa-cpu-mapping - in any section. */
export const NEGATION_NOT_SUPPORTED = 'parsing [{file}:{line}]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.' as const;
