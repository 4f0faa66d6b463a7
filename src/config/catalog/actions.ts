// Action keywords accepted by each rule set of HAProxy 2.6.12, in the order HAProxy lists them in
// its "unknown action" error (captured from /usr/sbin/haproxy -c with e.g. `http-request dney`).
// Plain data. `listed` is the word exactly as HAProxy prints it: "(*)" marks a prefix-matched
// keyword whose real form carries a suffix ('track-sc(*)' = track-sc0/1/2, 'set-var(*)' =
// set-var(NAME), 'sc-inc-gpc0(*)' = sc-inc-gpc0 or sc-inc-gpc0(<sc-id>) ...).
//
// Availability per section type was verified with the binary (see README.md). In a named
// defaults section the rules are accepted, but then frontends AND backends may not both inherit
// from it (DEFAULTS_RULES_MESSAGES).
//
// Messages: text after "[ALERT]    (PID) : config : ". Placeholders: {file} {line}, {type}
// ('frontend' | 'backend' | 'proxy' for listen), {proxy}, {action} (the unknown word), {list}
// (RuleSet.listText), {missing} = " (missing argument)" when the action word is empty (http-*
// only; tcp rule sets just print got ''), {hint} = " Did you mean '<kw>' maybe ?" or "".

export type RuleSetName =
  | 'http-request'
  | 'http-response'
  | 'http-after-response'
  | 'tcp-request connection'
  | 'tcp-request session'
  | 'tcp-request content'
  | 'tcp-response content';

export interface ActionKeyword {
  /** keyword as matched (prefix for prefix-matched ones) */
  readonly name: string;
  /** as printed by HAProxy in the unknown-action error */
  readonly listed: string;
  /** prefix-matched (KWF_MATCH_PREFIX): the word carries a suffix */
  readonly prefix?: boolean;
  /** 'digit-suffix' = track-sc0..2, 'paren' = name(args) */
  readonly form?: 'digit-suffix' | 'paren';
  readonly syntax?: string;
  /** handled inline by the tcp rule parser (not a registered action keyword) */
  readonly builtin?: boolean;
  /** false = listed in the error text but refused in this rule set */
  readonly allowed?: boolean;
  readonly experimental?: boolean;
  readonly note?: string;
}

export interface RuleSetAvailability {
  readonly anonymousDefaults: boolean;
  readonly namedDefaults: boolean;
  readonly frontend: boolean;
  readonly listen: boolean;
  readonly backend: boolean;
}

export interface RuleSet {
  readonly name: RuleSetName;
  readonly availability: RuleSetAvailability;
  /** ALERT (fatal) printed where availability is false, keyed like RuleSetAvailability */
  readonly misuse: Partial<Record<keyof RuleSetAvailability, string>>;
  /** template of the unknown / missing action ALERT. For tcp-request the message ends with a
   * newline inside the text, so HAProxy prints an empty line after it (trailing "\n"). */
  readonly unknownAction: string;
  /** the {list} part exactly as HAProxy 2.6.12 prints it */
  readonly listText: string;
  /** extra "did you mean" candidates scanned after the registered actions */
  readonly hintExtra: readonly string[];
  /** an error in this rule set stops the parsing of the whole file (ERR_ABORT): nothing after the
   * line is reported and "Fatal errors found in configuration." is not printed */
  readonly abortsOnError: boolean;
  readonly actions: readonly ActionKeyword[];
}

export const RULE_SETS: readonly RuleSet[] = [
  {
    name: 'http-request',
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: true, listen: true, backend: true },
    misuse: { anonymousDefaults: "parsing [{file}:{line}] : 'http-request' not allowed in anonymous 'defaults' section." },
    unknownAction: "parsing [{file}:{line}]: 'http-request' expects {list}, but got '{action}'{missing}.{hint}",
    listText: "'wait-for-handshake', 'ot-group', 'set-log-level', 'set-nice', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'cache-use', 'add-acl(*)', 'add-header', 'allow', 'auth', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'disable-l7-retry', 'early-hint', 'normalize-uri', 'redirect', 'reject', 'replace-header', 'replace-path', 'replace-pathq', 'replace-uri', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'strict-mode', 'tarpit', 'track-sc(*)', 'set-timeout', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset'",
    hintExtra: [],
    abortsOnError: true,
    actions: [
      { name: 'wait-for-handshake', listed: 'wait-for-handshake' },
      { name: 'ot-group', listed: 'ot-group' },
      { name: 'set-log-level', listed: 'set-log-level' },
      { name: 'set-nice', listed: 'set-nice' },
      {
        name: 'use-service',
        listed: 'use-service',
        note: 'tcp-request content use-service prometheus-exporter: ALERT "parsing [{file}:{line}] : Prometheus exporter service only available on \'http-request\' rulesets"',
      },
      { name: 'sc-inc-gpc', listed: 'sc-inc-gpc(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc(<idx>,<sc-id>)' },
      { name: 'sc-inc-gpc0', listed: 'sc-inc-gpc0(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc0[(<sc-id>)]' },
      { name: 'sc-inc-gpc1', listed: 'sc-inc-gpc1(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc1[(<sc-id>)]' },
      { name: 'sc-set-gpt', listed: 'sc-set-gpt(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt(<idx>,<sc-id>) <expr>' },
      { name: 'sc-set-gpt0', listed: 'sc-set-gpt0(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt0[(<sc-id>)] <int>|<expr>' },
      { name: 'send-spoe-group', listed: 'send-spoe-group' },
      { name: 'do-resolve', listed: 'do-resolve(*)', prefix: true, form: 'paren', syntax: 'do-resolve(<var>,<resolvers>[,ipv4|ipv6]) <expr>' },
      { name: 'cache-use', listed: 'cache-use' },
      { name: 'add-acl', listed: 'add-acl(*)', prefix: true, form: 'paren', syntax: 'add-acl(<file-name>) <key fmt>' },
      { name: 'add-header', listed: 'add-header' },
      { name: 'allow', listed: 'allow' },
      { name: 'auth', listed: 'auth' },
      { name: 'capture', listed: 'capture' },
      { name: 'del-acl', listed: 'del-acl(*)', prefix: true, form: 'paren', syntax: 'del-acl(<file-name>) <key fmt>' },
      { name: 'del-header', listed: 'del-header' },
      { name: 'del-map', listed: 'del-map(*)', prefix: true, form: 'paren', syntax: 'del-map(<file-name>) <key fmt>' },
      { name: 'deny', listed: 'deny' },
      { name: 'disable-l7-retry', listed: 'disable-l7-retry' },
      { name: 'early-hint', listed: 'early-hint' },
      {
        name: 'normalize-uri',
        listed: 'normalize-uri',
        experimental: true,
        note: 'ALERT "parsing [{file}:{line}] : \'normalize-uri\' action is experimental, must be allowed via a global \'expose-experimental-directives\'" unless the global directive is present',
      },
      { name: 'redirect', listed: 'redirect' },
      { name: 'reject', listed: 'reject' },
      { name: 'replace-header', listed: 'replace-header' },
      { name: 'replace-path', listed: 'replace-path' },
      { name: 'replace-pathq', listed: 'replace-pathq' },
      { name: 'replace-uri', listed: 'replace-uri' },
      { name: 'replace-value', listed: 'replace-value' },
      { name: 'return', listed: 'return' },
      { name: 'set-header', listed: 'set-header' },
      { name: 'set-map', listed: 'set-map(*)', prefix: true, form: 'paren', syntax: 'set-map(<file-name>) <key fmt> <value fmt>' },
      { name: 'set-method', listed: 'set-method' },
      { name: 'set-path', listed: 'set-path' },
      { name: 'set-pathq', listed: 'set-pathq' },
      { name: 'set-query', listed: 'set-query' },
      { name: 'set-uri', listed: 'set-uri' },
      { name: 'strict-mode', listed: 'strict-mode' },
      { name: 'tarpit', listed: 'tarpit' },
      { name: 'track-sc', listed: 'track-sc(*)', prefix: true, form: 'digit-suffix', syntax: 'track-sc0 | track-sc1 | track-sc2 (no digit = 0)' },
      {
        name: 'set-timeout',
        listed: 'set-timeout',
        note: 'needs backend capability: in a frontend "error detected in frontend \'{proxy}\' while parsing \'http-request set-timeout\' rule : proxy \'{proxy}\' has no backend capability."',
      },
      { name: 'wait-for-body', listed: 'wait-for-body' },
      { name: 'set-var-fmt', listed: 'set-var-fmt(*)', prefix: true, form: 'paren', syntax: 'set-var-fmt(<var-name>[,<cond>...]) <fmt>' },
      { name: 'set-var', listed: 'set-var(*)', prefix: true, form: 'paren', syntax: 'set-var(<var-name>[,<cond>...]) <expr>' },
      { name: 'unset-var', listed: 'unset-var(*)', prefix: true, form: 'paren', syntax: 'unset-var(<var-name>)' },
      { name: 'set-dst', listed: 'set-dst' },
      { name: 'set-dst-port', listed: 'set-dst-port' },
      { name: 'set-mark', listed: 'set-mark' },
      { name: 'set-src', listed: 'set-src' },
      { name: 'set-src-port', listed: 'set-src-port' },
      { name: 'set-tos', listed: 'set-tos' },
      { name: 'silent-drop', listed: 'silent-drop' },
      { name: 'set-priority-class', listed: 'set-priority-class' },
      { name: 'set-priority-offset', listed: 'set-priority-offset' },
    ],
  },
  {
    name: 'http-response',
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: true, listen: true, backend: true },
    misuse: { anonymousDefaults: "parsing [{file}:{line}] : 'http-response' not allowed in anonymous 'defaults' section." },
    unknownAction: "parsing [{file}:{line}]: 'http-response' expects {list}, but got '{action}'{missing}.{hint}",
    listText: "'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'cache-store', 'add-acl(*)', 'add-header', 'allow', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'redirect', 'replace-header', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-status', 'strict-mode', 'track-sc(*)', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop'",
    hintExtra: [],
    abortsOnError: true,
    actions: [
      { name: 'ot-group', listed: 'ot-group' },
      { name: 'set-log-level', listed: 'set-log-level' },
      { name: 'set-nice', listed: 'set-nice' },
      { name: 'sc-inc-gpc', listed: 'sc-inc-gpc(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc(<idx>,<sc-id>)' },
      { name: 'sc-inc-gpc0', listed: 'sc-inc-gpc0(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc0[(<sc-id>)]' },
      { name: 'sc-inc-gpc1', listed: 'sc-inc-gpc1(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc1[(<sc-id>)]' },
      { name: 'sc-set-gpt', listed: 'sc-set-gpt(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt(<idx>,<sc-id>) <expr>' },
      { name: 'sc-set-gpt0', listed: 'sc-set-gpt0(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt0[(<sc-id>)] <int>|<expr>' },
      { name: 'send-spoe-group', listed: 'send-spoe-group' },
      { name: 'cache-store', listed: 'cache-store' },
      { name: 'add-acl', listed: 'add-acl(*)', prefix: true, form: 'paren', syntax: 'add-acl(<file-name>) <key fmt>' },
      { name: 'add-header', listed: 'add-header' },
      { name: 'allow', listed: 'allow' },
      { name: 'capture', listed: 'capture' },
      { name: 'del-acl', listed: 'del-acl(*)', prefix: true, form: 'paren', syntax: 'del-acl(<file-name>) <key fmt>' },
      { name: 'del-header', listed: 'del-header' },
      { name: 'del-map', listed: 'del-map(*)', prefix: true, form: 'paren', syntax: 'del-map(<file-name>) <key fmt>' },
      { name: 'deny', listed: 'deny' },
      { name: 'redirect', listed: 'redirect' },
      { name: 'replace-header', listed: 'replace-header' },
      { name: 'replace-value', listed: 'replace-value' },
      { name: 'return', listed: 'return' },
      { name: 'set-header', listed: 'set-header' },
      { name: 'set-map', listed: 'set-map(*)', prefix: true, form: 'paren', syntax: 'set-map(<file-name>) <key fmt> <value fmt>' },
      { name: 'set-status', listed: 'set-status' },
      { name: 'strict-mode', listed: 'strict-mode' },
      { name: 'track-sc', listed: 'track-sc(*)', prefix: true, form: 'digit-suffix', syntax: 'track-sc0 | track-sc1 | track-sc2 (no digit = 0)' },
      { name: 'wait-for-body', listed: 'wait-for-body' },
      { name: 'set-var-fmt', listed: 'set-var-fmt(*)', prefix: true, form: 'paren', syntax: 'set-var-fmt(<var-name>[,<cond>...]) <fmt>' },
      { name: 'set-var', listed: 'set-var(*)', prefix: true, form: 'paren', syntax: 'set-var(<var-name>[,<cond>...]) <expr>' },
      { name: 'unset-var', listed: 'unset-var(*)', prefix: true, form: 'paren', syntax: 'unset-var(<var-name>)' },
      { name: 'set-mark', listed: 'set-mark' },
      { name: 'set-tos', listed: 'set-tos' },
      { name: 'silent-drop', listed: 'silent-drop' },
    ],
  },
  {
    name: 'http-after-response',
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: true, listen: true, backend: true },
    misuse: { anonymousDefaults: "parsing [{file}:{line}] : 'http-after-response' not allowed in anonymous 'defaults' section." },
    unknownAction: "parsing [{file}:{line}]: 'http-after-response' expects {list}, but got '{action}'{missing}.{hint}",
    listText: "'ot-group', 'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'strict-mode', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'",
    hintExtra: [],
    abortsOnError: true,
    actions: [
      { name: 'ot-group', listed: 'ot-group' },
      { name: 'add-header', listed: 'add-header' },
      { name: 'allow', listed: 'allow' },
      { name: 'capture', listed: 'capture' },
      { name: 'del-header', listed: 'del-header' },
      { name: 'replace-header', listed: 'replace-header' },
      { name: 'replace-value', listed: 'replace-value' },
      { name: 'set-header', listed: 'set-header' },
      { name: 'set-status', listed: 'set-status' },
      { name: 'strict-mode', listed: 'strict-mode' },
      { name: 'set-var-fmt', listed: 'set-var-fmt(*)', prefix: true, form: 'paren', syntax: 'set-var-fmt(<var-name>[,<cond>...]) <fmt>' },
      { name: 'set-var', listed: 'set-var(*)', prefix: true, form: 'paren', syntax: 'set-var(<var-name>[,<cond>...]) <expr>' },
      { name: 'unset-var', listed: 'unset-var(*)', prefix: true, form: 'paren', syntax: 'unset-var(<var-name>)' },
    ],
  },
  {
    name: 'tcp-request connection',
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: true, listen: true, backend: false },
    misuse: {
      anonymousDefaults: "parsing [{file}:{line}] : tcp-request connection is not allowed in anonymous 'defaults' sections",
      backend: 'parsing [{file}:{line}] : tcp-request connection is not allowed because backend {proxy} is not a frontend',
    },
    unknownAction: "parsing [{file}:{line}] : 'tcp-request connection' expects 'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', {list} in {type} '{proxy}' (got '{action}').{hint}\n",
    listText: "'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop'",
    hintExtra: ['accept', 'reject', 'capture', 'track-sc', 'expect-proxy', 'expect-netscaler-cip'],
    abortsOnError: false,
    actions: [
      { name: 'accept', listed: 'accept', builtin: true },
      { name: 'reject', listed: 'reject', builtin: true },
      {
        name: 'capture',
        listed: 'capture',
        builtin: true,
        syntax: 'capture <sample> len <length>',
        allowed: false,
        note: 'listed in the error text but refused here: "parsing [{file}:{line}] : \'capture <next word>\' is not allowed in \'tcp-request connection\' rules in {type} \'{proxy}\'"',
      },
      { name: 'expect-proxy', listed: 'expect-proxy', builtin: true, syntax: 'expect-proxy layer4' },
      { name: 'expect-netscaler-cip', listed: 'expect-netscaler-cip', builtin: true, syntax: 'expect-netscaler-cip layer4' },
      {
        name: 'track-sc',
        listed: "'track-sc0' ... 'track-sc2'",
        builtin: true,
        prefix: true,
        form: 'digit-suffix',
        syntax: 'track-sc0 | track-sc1 | track-sc2 (no digit = 0) <key> [table <table>]',
      },
      { name: 'sc-inc-gpc', listed: 'sc-inc-gpc(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc(<idx>,<sc-id>)' },
      { name: 'sc-inc-gpc0', listed: 'sc-inc-gpc0(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc0[(<sc-id>)]' },
      { name: 'sc-inc-gpc1', listed: 'sc-inc-gpc1(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc1[(<sc-id>)]' },
      { name: 'sc-set-gpt', listed: 'sc-set-gpt(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt(<idx>,<sc-id>) <expr>' },
      { name: 'sc-set-gpt0', listed: 'sc-set-gpt0(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt0[(<sc-id>)] <int>|<expr>' },
      { name: 'set-var-fmt', listed: 'set-var-fmt(*)', prefix: true, form: 'paren', syntax: 'set-var-fmt(<var-name>[,<cond>...]) <fmt>' },
      { name: 'set-var', listed: 'set-var(*)', prefix: true, form: 'paren', syntax: 'set-var(<var-name>[,<cond>...]) <expr>' },
      { name: 'unset-var', listed: 'unset-var(*)', prefix: true, form: 'paren', syntax: 'unset-var(<var-name>)' },
      { name: 'set-dst', listed: 'set-dst' },
      { name: 'set-dst-port', listed: 'set-dst-port' },
      { name: 'set-mark', listed: 'set-mark' },
      { name: 'set-src', listed: 'set-src' },
      { name: 'set-src-port', listed: 'set-src-port' },
      { name: 'set-tos', listed: 'set-tos' },
      { name: 'silent-drop', listed: 'silent-drop' },
    ],
  },
  {
    name: 'tcp-request session',
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: true, listen: true, backend: false },
    misuse: {
      anonymousDefaults: "parsing [{file}:{line}] : tcp-request session is not allowed in anonymous 'defaults' sections",
      backend: 'parsing [{file}:{line}] : tcp-request session is not allowed because backend {proxy} is not a frontend',
    },
    unknownAction: "parsing [{file}:{line}] : 'tcp-request session' expects 'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', {list} in {type} '{proxy}' (got '{action}').{hint}\n",
    listText: "'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop'",
    hintExtra: ['accept', 'reject', 'capture', 'track-sc', 'expect-proxy', 'expect-netscaler-cip'],
    abortsOnError: false,
    actions: [
      { name: 'accept', listed: 'accept', builtin: true },
      { name: 'reject', listed: 'reject', builtin: true },
      {
        name: 'capture',
        listed: 'capture',
        builtin: true,
        syntax: 'capture <sample> len <length>',
        allowed: false,
        note: 'listed in the error text but refused here: "parsing [{file}:{line}] : \'capture <next word>\' is not allowed in \'tcp-request session\' rules in {type} \'{proxy}\'"',
      },
      {
        name: 'expect-proxy',
        listed: 'expect-proxy',
        builtin: true,
        syntax: 'expect-proxy layer4',
        allowed: false,
        note: 'listed in the error text but refused here: "parsing [{file}:{line}] : \'expect-proxy <next word>\' is not allowed in \'tcp-request session\' rules in {type} \'{proxy}\'"',
      },
      {
        name: 'expect-netscaler-cip',
        listed: 'expect-netscaler-cip',
        builtin: true,
        syntax: 'expect-netscaler-cip layer4',
        allowed: false,
        note: 'listed in the error text but refused here: "parsing [{file}:{line}] : \'expect-netscaler-cip <next word>\' is not allowed in \'tcp-request session\' rules in {type} \'{proxy}\'"',
      },
      {
        name: 'track-sc',
        listed: "'track-sc0' ... 'track-sc2'",
        builtin: true,
        prefix: true,
        form: 'digit-suffix',
        syntax: 'track-sc0 | track-sc1 | track-sc2 (no digit = 0) <key> [table <table>]',
      },
      { name: 'sc-inc-gpc', listed: 'sc-inc-gpc(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc(<idx>,<sc-id>)' },
      { name: 'sc-inc-gpc0', listed: 'sc-inc-gpc0(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc0[(<sc-id>)]' },
      { name: 'sc-inc-gpc1', listed: 'sc-inc-gpc1(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc1[(<sc-id>)]' },
      { name: 'sc-set-gpt', listed: 'sc-set-gpt(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt(<idx>,<sc-id>) <expr>' },
      { name: 'sc-set-gpt0', listed: 'sc-set-gpt0(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt0[(<sc-id>)] <int>|<expr>' },
      { name: 'set-var-fmt', listed: 'set-var-fmt(*)', prefix: true, form: 'paren', syntax: 'set-var-fmt(<var-name>[,<cond>...]) <fmt>' },
      { name: 'set-var', listed: 'set-var(*)', prefix: true, form: 'paren', syntax: 'set-var(<var-name>[,<cond>...]) <expr>' },
      { name: 'unset-var', listed: 'unset-var(*)', prefix: true, form: 'paren', syntax: 'unset-var(<var-name>)' },
      { name: 'set-dst', listed: 'set-dst' },
      { name: 'set-dst-port', listed: 'set-dst-port' },
      { name: 'set-mark', listed: 'set-mark' },
      { name: 'set-src', listed: 'set-src' },
      { name: 'set-src-port', listed: 'set-src-port' },
      { name: 'set-tos', listed: 'set-tos' },
      { name: 'silent-drop', listed: 'silent-drop' },
    ],
  },
  {
    name: 'tcp-request content',
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: true, listen: true, backend: true },
    misuse: { anonymousDefaults: "parsing [{file}:{line}] : tcp-request content is not allowed in anonymous 'defaults' sections" },
    unknownAction: "parsing [{file}:{line}] : 'tcp-request content' expects 'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', {list} in {type} '{proxy}' (got '{action}').{hint}\n",
    listText: "'ot-group', 'set-log-level', 'set-nice', 'switch-mode', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-src', 'set-src-port', 'set-dst', 'set-dst-port', 'set-mark', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset'",
    hintExtra: ['accept', 'reject', 'capture', 'track-sc', 'expect-proxy', 'expect-netscaler-cip'],
    abortsOnError: false,
    actions: [
      { name: 'accept', listed: 'accept', builtin: true },
      { name: 'reject', listed: 'reject', builtin: true },
      { name: 'capture', listed: 'capture', builtin: true, syntax: 'capture <sample> len <length>' },
      {
        name: 'expect-proxy',
        listed: 'expect-proxy',
        builtin: true,
        syntax: 'expect-proxy layer4',
        allowed: false,
        note: 'listed in the error text but refused here: "parsing [{file}:{line}] : \'expect-proxy <next word>\' is not allowed in \'tcp-request content\' rules in {type} \'{proxy}\'"',
      },
      {
        name: 'expect-netscaler-cip',
        listed: 'expect-netscaler-cip',
        builtin: true,
        syntax: 'expect-netscaler-cip layer4',
        allowed: false,
        note: 'listed in the error text but refused here: "parsing [{file}:{line}] : \'expect-netscaler-cip <next word>\' is not allowed in \'tcp-request content\' rules in {type} \'{proxy}\'"',
      },
      {
        name: 'track-sc',
        listed: "'track-sc0' ... 'track-sc2'",
        builtin: true,
        prefix: true,
        form: 'digit-suffix',
        syntax: 'track-sc0 | track-sc1 | track-sc2 (no digit = 0) <key> [table <table>]',
      },
      { name: 'ot-group', listed: 'ot-group' },
      { name: 'set-log-level', listed: 'set-log-level' },
      { name: 'set-nice', listed: 'set-nice' },
      { name: 'switch-mode', listed: 'switch-mode' },
      {
        name: 'use-service',
        listed: 'use-service',
        note: 'tcp-request content use-service prometheus-exporter: ALERT "parsing [{file}:{line}] : Prometheus exporter service only available on \'http-request\' rulesets"',
      },
      { name: 'sc-inc-gpc', listed: 'sc-inc-gpc(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc(<idx>,<sc-id>)' },
      { name: 'sc-inc-gpc0', listed: 'sc-inc-gpc0(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc0[(<sc-id>)]' },
      { name: 'sc-inc-gpc1', listed: 'sc-inc-gpc1(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc1[(<sc-id>)]' },
      { name: 'sc-set-gpt', listed: 'sc-set-gpt(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt(<idx>,<sc-id>) <expr>' },
      { name: 'sc-set-gpt0', listed: 'sc-set-gpt0(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt0[(<sc-id>)] <int>|<expr>' },
      { name: 'send-spoe-group', listed: 'send-spoe-group' },
      { name: 'do-resolve', listed: 'do-resolve(*)', prefix: true, form: 'paren', syntax: 'do-resolve(<var>,<resolvers>[,ipv4|ipv6]) <expr>' },
      { name: 'set-var-fmt', listed: 'set-var-fmt(*)', prefix: true, form: 'paren', syntax: 'set-var-fmt(<var-name>[,<cond>...]) <fmt>' },
      { name: 'set-var', listed: 'set-var(*)', prefix: true, form: 'paren', syntax: 'set-var(<var-name>[,<cond>...]) <expr>' },
      { name: 'unset-var', listed: 'unset-var(*)', prefix: true, form: 'paren', syntax: 'unset-var(<var-name>)' },
      { name: 'set-src', listed: 'set-src' },
      { name: 'set-src-port', listed: 'set-src-port' },
      { name: 'set-dst', listed: 'set-dst' },
      { name: 'set-dst-port', listed: 'set-dst-port' },
      { name: 'set-mark', listed: 'set-mark' },
      { name: 'set-tos', listed: 'set-tos' },
      { name: 'silent-drop', listed: 'silent-drop' },
      { name: 'set-priority-class', listed: 'set-priority-class' },
      { name: 'set-priority-offset', listed: 'set-priority-offset' },
    ],
  },
  {
    name: 'tcp-response content',
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: false, listen: true, backend: true },
    misuse: {
      anonymousDefaults: "parsing [{file}:{line}] : tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name",
      frontend: "parsing [{file}:{line}] : tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name",
    },
    unknownAction: "parsing [{file}:{line}] : 'tcp-response content' expects 'accept', 'close', 'reject', {list} in {type} '{proxy}' (got '{action}').{hint}",
    listText: "'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop'",
    hintExtra: ['accept', 'reject', 'close'],
    abortsOnError: false,
    actions: [
      { name: 'accept', listed: 'accept', builtin: true },
      { name: 'close', listed: 'close', builtin: true },
      { name: 'reject', listed: 'reject', builtin: true },
      { name: 'ot-group', listed: 'ot-group' },
      { name: 'set-log-level', listed: 'set-log-level' },
      { name: 'set-nice', listed: 'set-nice' },
      { name: 'sc-inc-gpc', listed: 'sc-inc-gpc(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc(<idx>,<sc-id>)' },
      { name: 'sc-inc-gpc0', listed: 'sc-inc-gpc0(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc0[(<sc-id>)]' },
      { name: 'sc-inc-gpc1', listed: 'sc-inc-gpc1(*)', prefix: true, form: 'paren', syntax: 'sc-inc-gpc1[(<sc-id>)]' },
      { name: 'sc-set-gpt', listed: 'sc-set-gpt(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt(<idx>,<sc-id>) <expr>' },
      { name: 'sc-set-gpt0', listed: 'sc-set-gpt0(*)', prefix: true, form: 'paren', syntax: 'sc-set-gpt0[(<sc-id>)] <int>|<expr>' },
      { name: 'send-spoe-group', listed: 'send-spoe-group' },
      { name: 'set-var-fmt', listed: 'set-var-fmt(*)', prefix: true, form: 'paren', syntax: 'set-var-fmt(<var-name>[,<cond>...]) <fmt>' },
      { name: 'set-var', listed: 'set-var(*)', prefix: true, form: 'paren', syntax: 'set-var(<var-name>[,<cond>...]) <expr>' },
      { name: 'unset-var', listed: 'unset-var(*)', prefix: true, form: 'paren', syntax: 'unset-var(<var-name>)' },
      { name: 'set-mark', listed: 'set-mark' },
      { name: 'set-tos', listed: 'set-tos' },
      { name: 'silent-drop', listed: 'silent-drop' },
    ],
  },
];

/** tcp-request inspect-delay / tcp-response inspect-delay: same availability as the content rule
 * sets ('tcp-request inspect-delay' everywhere but anonymous defaults; 'tcp-response inspect-delay'
 * in named defaults, listen and backend). */
export const INSPECT_DELAY = {
  'tcp-request inspect-delay': {
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: true, listen: true, backend: true },
    anonymousDefaults: "parsing [{file}:{line}] : tcp-request inspect-delay is not allowed in anonymous 'defaults' sections",
    missingValue: "parsing [{file}:{line}] : 'tcp-request inspect-delay' expects a positive delay in milliseconds, in {type} '{proxy}'",
  },
  'tcp-response inspect-delay': {
    availability: { anonymousDefaults: false, namedDefaults: true, frontend: false, listen: true, backend: true },
    misuse: "parsing [{file}:{line}] : tcp-response inspect-delay is only allowed in 'backend' sections or 'defaults' section with a name",
    missingValue: "parsing [{file}:{line}] : 'tcp-response inspect-delay' expects a positive delay in milliseconds, in {type} '{proxy}'",
  },
} as const;

export const ACTION_MESSAGES = {
  /** generic wrapper for an action parser error (http-* rule sets) */
  httpActionError: "parsing [{file}:{line}] : error detected in {type} '{proxy}' while parsing '{ruleset} {action}' rule : {error}.",
  httpTrailingWord: "parsing [{file}:{line}]: '{ruleset} {action}' expects either 'if' or 'unless' followed by a condition but found '{word}'.",
  httpCondition: "parsing [{file}:{line}] : error detected while parsing an '{ruleset} {action}' condition : {error}.",
  tcpNotAllowedHere: "parsing [{file}:{line}] : '{action} {next}' is not allowed in '{ruleset}' rules in {type} '{proxy}'",
  tcpTrackScRange: "parsing [{file}:{line}] : '{ruleset} track-sc{n}' : {n} track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value",
  httpTrackScRange: "parsing [{file}:{line}] : error detected in {type} '{proxy}' while parsing '{ruleset} track-sc{n}' rule : {n} track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value.",
  tcpMissingSub: "parsing [{file}:{line}] : missing argument for 'tcp-request' in {type} '{proxy}'",
  tcpUnknownSub: "parsing [{file}:{line}] : 'tcp-request' expects 'inspect-delay', 'connection', or 'content' in {type} '{proxy}' (got '{sub}')",
  tcpResponseUnknownSub: "parsing [{file}:{line}] : 'tcp-response' expects 'inspect-delay' or 'content' in {type} '{proxy}' (got '{sub}')",
  experimental: "parsing [{file}:{line}] : '{action}' action is experimental, must be allowed via a global 'expose-experimental-directives'",
  finalRuleNoop: "parsing [{file}:{line}]: previous '{ruleset} {action}' action is final and has no condition attached, further entries are NOOP.",
  httpRulesInTcpMode: "'{ruleset}' rules ignored for {type} '{proxy}' as they require HTTP mode.",
} as const;

/** Messages when a proxy inherits from a named defaults section that holds tcp/http rules. */
export const DEFAULTS_RULES_MESSAGES = {
  frontendAndBackend: 'parsing [{file}:{line}]: frontends and backends cannot inherit from the same defaults section if it defines TCP/HTTP rules (defaults section at {defFile}:{defLine}).',
  listen: 'parsing [{file}:{line}]: a listen section cannot inherit from a defaults section defining TCP/HTTP rules.',
  defaults: 'parsing [{file}:{line}]: a defaults section cannot inherit from a defaults section defining TCP/HTTP rules (defaults section at {defFile}:{defLine}).',
} as const;
