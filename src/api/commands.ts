// The runtime API's command registry: HAProxy's catalog first (every command it lists, as a
// "known, not implemented yet" row), then each command family overrides the rows it implements,
// then the registry is frozen. Dispatch is HAProxy's: the first row, in registration order,
// whose words start the line; none → the usage message; below the row's level → "Permission
// denied".

import { Registry } from '../config/registry.js';
import { notImplemented, pending } from '../config/status.js';
import { err, msg, type CliCall, type CliCommand, type CommandImpl, type Reply } from './command.js';
import { HAPROXY_COMMANDS } from './catalog.js';
import { usageMessage } from './usage.js';
import { sessionCommands } from './cmd-session.js';
import { INFO_COMMANDS } from './cmd-info.js';
import { STAT_COMMANDS } from './cmd-stat.js';
import { SERVER_COMMANDS } from './cmd-server.js';
import { PROXY_COMMANDS } from './cmd-proxy.js';
import { MISC_COMMANDS } from './cmd-misc.js';

/** The words a help line starts with, up to its first argument placeholder. */
function keywordOf(usage: string): string {
  const words: string[] = [];
  for (const w of usage.split(':')[0]!.trim().split(/\s+/)) {
    if (/^[<[{(@]/.test(w)) break;
    words.push(w);
  }
  return words.join(' ');
}

let cached: { registry: Registry<CliCommand>; listed: readonly CliCommand[] } | undefined;

function install(): { registry: Registry<CliCommand>; listed: readonly CliCommand[] } {
  if (cached) return cached;
  const registry = new Registry<CliCommand>('CLI commands');
  for (const [usage, area] of HAPROXY_COMMANDS) registry.add({ name: keywordOf(usage), usage, status: pending(area) });
  const families: readonly (readonly CommandImpl[])[] = [
    sessionCommands(() => listed),
    INFO_COMMANDS,
    STAT_COMMANDS,
    SERVER_COMMANDS,
    PROXY_COMMANDS,
    MISC_COMMANDS,
  ];
  for (const family of families) {
    for (const impl of family) {
      // Commands HAProxy does not list (help, prompt, quit) stay out of the help text.
      const usage = registry.get(impl.name)?.usage ?? '';
      registry.override({ name: impl.name, usage, status: 'ready', run: impl.run, ...(impl.level ? { level: impl.level } : {}) });
    }
  }
  registry.freeze();
  const listed = registry.all().filter((c) => c.usage !== '');
  cached = { registry, listed };
  return cached;
}

/** Every command row, in registration order (the compatibility matrix reads it). */
export function cliCommands(): readonly CliCommand[] {
  return install().registry.all();
}

function find(args: readonly string[]): CliCommand | undefined {
  for (const c of install().registry.all()) {
    const words = c.name.split(' ');
    if (words.every((w, i) => args[i] === w)) return c;
  }
  return undefined;
}

/** Run one command line for a session. */
export function execute(call: CliCall): Reply {
  const { listed } = install();
  const c = find(call.args);
  if (!c) return msg(usageMessage(listed, call.args));
  if (c.status !== 'ready' || !c.run) return err(`${notImplemented(`'${c.name}'`, c.status)}\n`);
  if (c.level !== undefined && call.session.level < c.level) return err('Permission denied\n');
  return c.run(call);
}
