// The configuration parser: source lines → tokenized words → conditional blocks → sections →
// keyword rows from the registries → a plain ConfigModel. Every problem is collected with its
// file:line; nothing throws for bad input. Post-parse checks live in ./postcheck.ts.

import { Diagnostics, q, type DiagCode, type Loc } from './diag.js';
import { renderTokenError, tokenizeLine } from './tokenizer.js';
import { conditionErrorReport, evalCondition, type CondEnv } from './condition.js';
import { didYouMean } from './hint.js';
import type { Registry } from './registry.js';
import type { Env, KwContext, SectionKeyword } from './keyword.js';
import {
  emptyGlobal,
  type AuxSectionModel,
  type ConfigModel,
  type Directive,
  type Json,
  type ProxyModel,
  type ProxyType,
  type SectionType,
} from './model.js';
import { statusLabel } from './status.js';
import { ConfigEnvironment } from './environment.js';
import { DEFAULTS_RULES_MESSAGES } from './catalog/actions.js';

/** The rule lists whose presence in a defaults section restricts who may inherit it. */
const RULE_LISTS = ['tcp-request connection', 'tcp-request session', 'tcp-request content', 'tcp-response content', 'http-request', 'http-response', 'http-after-response'];

export interface SourceFile {
  readonly name: string;
  readonly text: string;
}

/** Which registry serves a section type; proxies share one registry. */
export type SectionGroup = 'global' | 'proxy' | Exclude<SectionType, 'global' | ProxyType>;

export interface ParserRegistries {
  readonly sections: ReadonlyMap<SectionGroup, Registry<SectionKeyword>>;
  /** HAProxy's own wording for an unknown second word of some families ('timeout'). */
  /** A family's own message for an unknown (or missing: undefined) sub-keyword; null: the generic one. */
  readonly familyMessages?: ReadonlyMap<string, (sub: string | undefined) => string | null>;
}

export interface ParseOptions {
  readonly env: Env;
  readonly cond: CondEnv;
  readonly registries: ParserRegistries;
  /** Emit .diag messages (HAProxy's -dD). */
  readonly diagMode?: boolean;
}

export const SECTION_TYPES: readonly SectionType[] = [
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'userlist',
  'peers',
  'resolvers',
  'cache',
  'http-errors',
  'mailers',
  'program',
  'ring',
  'log-forward',
];

const PROXY_TYPES: ReadonlySet<string> = new Set(['defaults', 'frontend', 'backend', 'listen']);

/** HAProxy's limit on words per line (MAX_LINE_ARGS). */
export const MAX_LINE_ARGS = 64;

/** Proxy (and referenced defaults) names: letters, digits, '-', '_', '.', ':'. */
export function invalidNameChar(name: string): string | undefined {
  const m = /[^A-Za-z0-9_.:-]/.exec(name);
  return m ? m[0] : undefined;
}

interface CondFrame {
  /** This level's lines are used. */
  active: boolean;
  /** Some branch of this level was taken already. */
  taken: boolean;
  elseSeen: boolean;
  /** The enclosing level is active. */
  parentActive: boolean;
  loc: Loc;
}

interface Current {
  type: SectionType;
  name: string;
  proxy?: ProxyModel;
  aux?: AuxSectionModel;
}

export function newProxy(
  type: ProxyType,
  name: string,
  loc: Loc,
  from: ProxyModel | undefined,
): ProxyModel {
  const cap = {
    frontend: type === 'frontend' || type === 'listen',
    backend: type === 'backend' || type === 'listen',
  };
  const base: ProxyModel = {
    type,
    name,
    loc,
    id: 0,
    from: from ? from.name : null,
    cap,
    mode: 'tcp',
    settings: {},
    lists: {},
    options: {},
    timeouts: {},
    binds: [],
    servers: [],
    defaultServer: {},
  };
  if (!from) return base;
  // Inherit what HAProxy copies from a defaults section: everything a defaults section can
  // hold (binds and servers cannot appear there). Directives are never mutated after
  // parsing, so the records are copied and the directives shared.
  const lists: Record<string, Directive[]> = {};
  for (const [k, v] of Object.entries(from.lists)) lists[k] = [...v];
  return {
    ...base,
    mode: from.mode,
    settings: { ...from.settings },
    lists,
    options: { ...from.options },
    timeouts: { ...from.timeouts },
    defaultServer: { ...from.defaultServer },
  };
}

export function parseConfig(files: readonly SourceFile[], opts: ParseOptions): { model: ConfigModel; diag: Diagnostics; env: ConfigEnvironment } {
  const diag = new Diagnostics();
  // `setenv` & co (global) change what later lines expand and what `.if defined()` sees.
  const env = new ConfigEnvironment(opts.env);
  const directiveOpts: ParseOptions = { ...opts, cond: { ...opts.cond, getenv: env.getenv } };
  const model: ConfigModel = {
    files: files.map((f) => f.name),
    global: emptyGlobal(),
    proxies: [],
    defaults: [],
    sections: [],
  };
  // The latest defaults section, used implicitly; named ones are also findable via `from`.
  let lastDefaults: ProxyModel | undefined;
  const namedDefaults = new Map<string, ProxyModel>();
  const implicitlyUsed = new Set<ProxyModel>();
  const byName = new Map<string, ProxyModel[]>();
  const explicitlyUsed = new Set<ProxyModel>();
  /** Which kinds of proxy (frontend, backend) inherited each defaults section so far. */
  const inheritedBy = new Map<ProxyModel, Set<string>>();

  const sectionRegistry = (type: SectionType): Registry<SectionKeyword> | undefined =>
    opts.registries.sections.get(PROXY_TYPES.has(type) ? 'proxy' : (type as SectionGroup));

  for (const file of files) {
    if (diag.aborted) break;
    let cur: Current | undefined;
    const conds: CondFrame[] = [];
    const lines = file.text.split('\n');
    for (let ln = 0; ln < lines.length && !diag.aborted; ln++) {
      const raw = lines[ln]!.replace(/\r$/, '');
      const loc: Loc = { file: file.name, line: ln + 1 };
      if (ln === lines.length - 1 && lines[ln] !== '') {
        // A last line without LF may be a truncated file: HAProxy refuses it.
        diag.alert('E_FILE', loc, `Missing LF on last line, file might have been truncated at position ${lines[ln]!.length + 1}.`, undefined, 'tight');
        break;
      }
      const tok = tokenizeLine(raw, {
        getenv: env.getenv,
        file: file.name,
        line: loc.line,
        section: cur ? cur.name || cur.type : '',
      });
      if (tok.error) {
        const [first, ...rest] = renderTokenError(raw, tok.error);
        diag.alert('E_SYNTAX', loc, first!, rest, 'tight');
        continue;
      }
      const words = tok.words;
      if (words.length === 0) continue;
      const active = conds.length === 0 || conds[conds.length - 1]!.active;

      // Conditional blocks and report directives (re-read keeping empty words, as HAProxy
      // joins a condition's words back together).
      if (words[0]!.startsWith('.')) {
        const full = tokenizeLine(raw, { getenv: env.getenv, file: file.name, line: loc.line, section: cur ? cur.name || cur.type : '', keepEmpty: true });
        handleDirective(full.words, loc, active, conds, diag, directiveOpts);
        continue;
      }
      if (!active) continue;

      if (tok.cut > 0) {
        diag.warning(
          'W_IGNORED',
          loc,
          `an empty argument ends the line: ${tok.cut} word(s) after it are ignored, as HAProxy ignores them.`,
        );
      }
      if (words.length > MAX_LINE_ARGS) {
        diag.alert('E_SYNTAX', loc, `too many words, truncating after word ${MAX_LINE_ARGS}.`, undefined, 'tight');
        words.length = MAX_LINE_ARGS;
      }

      // Section headers.
      const head = words[0]!;
      if ((SECTION_TYPES as readonly string[]).includes(head)) {
        cur = openSection(head as SectionType, words, loc);
        continue;
      }
      if (!cur) {
        diag.alert(
          'E_UNKNOWN_KEYWORD',
          loc,
          `unknown keyword ${q(head)} out of section${didYouMean(head, SECTION_TYPES)}.`,
        );
        continue;
      }
      const reg = sectionRegistry(cur.type);
      if (!reg) {
        diag.alert('E_UNKNOWN_KEYWORD', loc, `unknown keyword ${q(head)} in ${q(cur.type)} section`);
        continue;
      }
      dispatch(reg, cur, words, loc);
    }
    for (const f of diag.aborted ? [] : conds) {
      diag.alert('E_DIRECTIVE', f.loc, `missing '.endif' at end of file (opened at ${f.loc.file}:${f.loc.line}).`);
    }
  }

  // HAProxy warns when a defaults section is used both explicitly and implicitly.
  for (const d of explicitlyUsed) {
    if (implicitlyUsed.has(d)) {
      diag.warning(
        'W_CONFIG',
        d.loc,
        `defaults section '${d.name}' (declared at ${d.loc.file}:${d.loc.line}) is explicitly referenced by another proxy and implicitly used here. To avoid any ambiguity don't mix both usage. Add a last defaults section not explicitly used or always use explicit references.`,
      );
    }
  }
  return { model, diag, env };

  function openSection(type: SectionType, words: readonly string[], loc: Loc): Current {
    if (!PROXY_TYPES.has(type)) {
      const name = words[1] ?? '';
      if (type !== 'global' && name === '') {
        diag.alert('E_MISSING_ARG', loc, `missing name for ${type} section.`);
      }
      if (type === 'global') return { type, name: '' };
      const aux: AuxSectionModel = { type, name, loc, directives: [] };
      model.sections.push(aux);
      return { type, name, aux };
    }
    const ptype = type as ProxyType;
    let name = words[1] ?? '';
    let fromName: string | undefined;
    let rest = words.slice(2);
    if (name === 'from' && ptype === 'defaults') {
      // `defaults from X`: an anonymous defaults section inheriting X.
      fromName = words[2];
      name = '';
      rest = words.slice(3);
    } else if (rest[0] === 'from') {
      fromName = rest[1];
      rest = rest.slice(2);
      if (fromName === undefined) diag.alert('E_MISSING_ARG', loc, `'from' expects a defaults section name.`);
    }
    if (rest.length > 0) {
      diag.alert('E_SYNTAX', loc, `unexpected argument ${q(rest[0]!)} after the ${type} name.`);
    }
    if (ptype !== 'defaults') {
      if (name === '') diag.alert('E_MISSING_ARG', loc, `'${type}' expects <name> as an argument.`);
      const bad = invalidNameChar(name);
      if (name !== '' && bad !== undefined) {
        diag.alert('E_BAD_ARG', loc, `character '${bad}' is not permitted in '${type}' name '${name}'.`);
      }
    }

    let from: ProxyModel | undefined;
    if (fromName !== undefined) {
      from = namedDefaults.get(fromName);
      if (!from) {
        diag.alert('E_REFERENCE', loc, `defaults section '${fromName}' not found for ${type} '${name}'.`);
      } else {
        explicitlyUsed.add(from);
      }
    } else if (ptype !== 'defaults') {
      from = lastDefaults;
      if (from) implicitlyUsed.add(from);
    }

    if (from) checkRulesInheritance(ptype, from, loc);
    const proxy = newProxy(ptype, name, loc, from);
    if (ptype === 'defaults') {
      lastDefaults = proxy;
      model.defaults.push(proxy);
      if (name !== '') {
        const prev = namedDefaults.get(name);
        if (prev) {
          diag.warning(
            'W_CONFIG',
            loc,
            `Parsing defaults section '${name}' which shares its name with defaults section declared at ${prev.loc.file}:${prev.loc.line}.`,
          );
        }
        namedDefaults.set(name, proxy);
      }
    } else {
      checkDuplicateProxy(proxy);
      model.proxies.push(proxy);
    }
    return { type, name, proxy };
  }

  /**
   * A defaults section holding TCP/HTTP rules may be inherited by frontends or by backends,
   * not both, nor by a listen or another defaults section: HAProxy stops parsing there
   * (ERR_ABORT) with these messages.
   */
  function checkRulesInheritance(ptype: ProxyModel['type'], from: ProxyModel, loc: Loc): void {
    if (!RULE_LISTS.some((k) => (from.lists[k]?.length ?? 0) > 0)) return;
    const fill = (m: string): string =>
      m.replace('parsing [{file}:{line}]: ', '').replace('{defFile}', from.loc.file).replace('{defLine}', String(from.loc.line));
    let message: string | null = null;
    if (ptype === 'defaults') message = DEFAULTS_RULES_MESSAGES.defaults;
    else if (ptype === 'listen') message = DEFAULTS_RULES_MESSAGES.listen;
    else {
      const kinds = inheritedBy.get(from) ?? new Set<string>();
      inheritedBy.set(from, kinds);
      kinds.add(ptype);
      if (kinds.size > 1) message = DEFAULTS_RULES_MESSAGES.frontendAndBackend;
    }
    if (message === null) return;
    diag.alert('E_REFERENCE', loc, fill(message), undefined, 'tight');
    diag.aborted = true;
  }

  function checkDuplicateProxy(p: ProxyModel): void {
    const same = byName.get(p.name) ?? [];
    byName.set(p.name, [...same, p]);
    for (const o of same) {
      const overlap = (o.cap.frontend && p.cap.frontend) || (o.cap.backend && p.cap.backend);
      if (!overlap) continue;
      diag.alert(
        'E_DUPLICATE',
        p.loc,
        `${p.type} '${p.name}' has the same name as ${o.type} '${o.name}' declared at ${o.loc.file}:${o.loc.line}.`,
      );
      return;
    }
  }

  function dispatch(reg: Registry<SectionKeyword>, cur: Current, words: string[], loc: Loc): void {
    let negated = false;
    let w = words;
    if (w[0] === 'no' && w.length > 1) {
      negated = true;
      w = w.slice(1);
    }
    const row = lookup(reg, w);
    if (!row || (negated && !row.negatable)) {
      reportUnknown(reg, cur, w, loc, negated);
      return;
    }
    const keyLen = row.name.split(' ').length;
    const args = w.slice(keyLen);
    const proxy = cur.proxy;

    if (proxy && row.caps && !hasCap(proxy, row)) {
      const missing = proxy.type === 'defaults' ? 'defaults' : row.caps.frontend ? 'frontend' : 'backend';
      if (proxy.type === 'defaults') {
        diag.alert('E_CAPABILITY', loc, `${q(row.name)} not allowed in 'defaults' section.`);
      } else if (row.misuse === 'alert') {
        const text = `${q(row.name)} not allowed because ${proxy.type} '${proxy.name}' has no ${missing} capability.`;
        // HAProxy's server-line parser prints the location twice: "[f:l] : parsing [f:l] : ...".
        if (/^(default-)?server(-template)?$/.test(row.name)) {
          diag.alert('E_CAPABILITY', loc, `parsing [${loc.file}:${loc.line}] : ${text}`, undefined, 'bracket');
        } else {
          diag.alert('E_CAPABILITY', loc, text);
        }
      } else {
        diag.warning(
          'W_IGNORED',
          loc,
          `${q(row.name)} ignored because ${proxy.type} '${proxy.name}' has no ${missing} capability.`,
        );
      }
      return;
    }

    const ctx: KwContext = {
      diag,
      loc,
      key: row.name,
      args,
      words,
      negated,
      config: model,
      proxy,
      section: { type: cur.type, name: cur.name },
      env,
      fail(message: string, code: DiagCode = 'E_BAD_ARG') {
        diag.alert(code, loc, message);
        return undefined;
      },
      warn(message: string, code: DiagCode = 'W_CONFIG') {
        diag.warning(code, loc, message);
      },
    };

    let value: Json | undefined;
    if (row.parse) {
      value = row.parse(ctx);
    } else {
      value = checkArgCount(row, args, loc) ? [...args] : undefined;
    }
    if (value === undefined) return;

    const dir: Directive = { loc, key: row.name, args, value };
    store(cur, row, dir);
    if (row.status !== 'ready' && !row.selfReported) {
      diag.alert('E_NOT_IMPLEMENTED', loc, `${q(negated ? `no ${row.name}` : row.name)} is not implemented yet (${statusLabel(row.status)}).`);
    }
  }

  function checkArgCount(row: SectionKeyword, args: readonly string[], loc: Loc): boolean {
    if (row.minArgs !== undefined && args.length < row.minArgs) {
      diag.alert('E_MISSING_ARG', loc, `${q(row.name)} expects ${row.minArgs === 1 ? 'an argument' : `at least ${row.minArgs} arguments`}.`);
      return false;
    }
    if (row.maxArgs !== undefined && args.length > row.maxArgs) {
      diag.alert('E_SYNTAX', loc, `${q(row.name)} cannot handle unexpected argument ${q(args[row.maxArgs]!)}.`);
      return false;
    }
    return true;
  }

  function store(cur: Current, row: SectionKeyword, dir: Directive): void {
    if (cur.aux) {
      cur.aux.directives.push(dir);
      return;
    }
    const target = cur.proxy ?? model.global;
    if (row.multi) (target.lists[row.name] ??= []).push(dir);
    else target.settings[row.name] = dir;
  }

  function reportUnknown(reg: Registry<SectionKeyword>, cur: Current, w: readonly string[], loc: Loc, negated: boolean): void {
    const head = w[0]!;
    const sub = w[1];
    // Multi-word families get HAProxy's family-specific wording.
    const family = reg.names().filter((n) => n.startsWith(head + ' '));
    if (head === 'option' || (negated && head === 'option')) {
      const opts = family.map((n) => n.slice('option '.length));
      if (sub === undefined) {
        diag.alert('E_MISSING_ARG', loc, `'option' expects an option name.`);
      } else {
        diag.alert('E_UNKNOWN_KEYWORD', loc, `unknown option ${q(sub)}${didYouMean(sub, opts)}`);
      }
      return;
    }
    const special = opts.registries.familyMessages?.get(head)?.(sub);
    if (special) {
      diag.alert(sub === undefined ? 'E_MISSING_ARG' : 'E_UNKNOWN_KEYWORD', loc, special);
      return;
    }
    if (family.length > 0 && !reg.has(head)) {
      const subs = family.map((n) => n.slice(head.length + 1));
      if (sub === undefined) {
        diag.alert('E_MISSING_ARG', loc, `${q(head)} expects ${subs.map(q).join(', ')}.`);
      } else {
        diag.alert('E_UNKNOWN_KEYWORD', loc, `${q(head)} expects ${subs.map(q).join(', ')}, but got ${q(sub)}${didYouMean(sub, subs)}`);
      }
      return;
    }
    const candidates = new Set(reg.names().map((n) => n.split(' ')[0]!));
    diag.alert(
      'E_UNKNOWN_KEYWORD',
      loc,
      `unknown keyword ${q(head)} in ${q(cur.type)} section${didYouMean(head, candidates)}`,
    );
  }
}

function hasCap(p: ProxyModel, row: SectionKeyword): boolean {
  const c = row.caps!;
  switch (p.type) {
    case 'defaults':
      return c.defaults;
    case 'frontend':
      return c.frontend;
    case 'backend':
      return c.backend;
    case 'listen':
      return c.frontend || c.backend;
  }
}

/** Longest registry key matching the first words (3, then 2, then 1). */
export function lookup(reg: Registry<SectionKeyword>, words: readonly string[]): SectionKeyword | undefined {
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const row = reg.get(words.slice(0, n).join(' '));
    if (row) return row;
  }
  return undefined;
}

function handleDirective(
  words: readonly string[],
  loc: Loc,
  active: boolean,
  conds: CondFrame[],
  diag: Diagnostics,
  opts: ParseOptions,
): void {
  const [dir, ...args] = words;
  const top = conds[conds.length - 1];
  const evaluate = (): boolean => {
    const r = evalCondition(args, opts.cond);
    if (!r.ok) {
      const rep = conditionErrorReport(dir as '.if' | '.elif', r);
      diag.alert('E_CONDITION', loc, rep.message, rep.detail, 'tight');
      return false;
    }
    return r.value;
  };
  switch (dir) {
    case '.if': {
      const value = active ? evaluate() : false;
      conds.push({ active: active && value, taken: value, elseSeen: false, parentActive: active, loc });
      return;
    }
    case '.elif': {
      if (!top || top.elseSeen) {
        diag.alert('E_DIRECTIVE', loc, top ? `'.elif' after '.else' is not permitted.` : `'.elif' with no matching '.if'.`);
        return;
      }
      if (!top.parentActive || top.taken) {
        top.active = false;
        return;
      }
      const value = evaluate();
      top.active = value;
      top.taken = value;
      return;
    }
    case '.else': {
      if (!top || top.elseSeen) {
        diag.alert('E_DIRECTIVE', loc, top ? `'.else' after '.else' is not permitted.` : `'.else' with no matching '.if'.`);
        return;
      }
      top.elseSeen = true;
      top.active = top.parentActive && !top.taken;
      top.taken = true;
      return;
    }
    case '.endif': {
      if (!top) {
        diag.alert('E_DIRECTIVE', loc, `'.endif' with no matching '.if'.`);
        return;
      }
      conds.pop();
      return;
    }
  }
  if (!active) return;
  const report = ['.notice', '.warning', '.alert', '.diag'];
  if (!report.includes(dir!)) {
    diag.alert('E_DIRECTIVE', loc, `unknown directive ${q(dir!)}.`, undefined, 'tight');
    return;
  }
  // One argument: the message (quote it to have spaces), printed quoted, as HAProxy does.
  const msgWords = args.filter((w, i) => w !== '' || i === 0);
  if (msgWords.length > 1) {
    diag.alert('E_DIRECTIVE', loc, `Unexpected argument '${msgWords[1]}' for '${dir}'. Use quotes if the message should contain spaces.`, undefined, 'tight');
    return;
  }
  const text = `'${msgWords[0] ?? ''}'.`;
  if (dir === '.notice') diag.notice(loc, text, 'tight');
  else if (dir === '.warning') diag.warning('W_CONFIG', loc, text, undefined, 'tight');
  else if (dir === '.alert') {
    diag.alert('E_DIRECTIVE', loc, text, undefined, 'tight');
    diag.aborted = true;
  }
  else if (opts.diagMode) diag.diag(loc, text, 'tight');
}
