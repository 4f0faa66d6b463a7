// The server line of `add server <backend>/<name> <addr> [options]` on the runtime API: the
// configuration's own parser, limited to the options HAProxy 2.6 accepts for dynamic servers,
// with its answers (the CLI prints the option parser's text alone, without file or server).

import type { ConfigModel, ProxyModel, ServerModel } from '../config/model.js';
import type { KwContext, LineOption } from '../config/keyword.js';
import type { Registry } from '../config/registry.js';
import { Diagnostics, type Loc } from '../config/diag.js';
import { SERVER_OPTIONS as CATALOG } from '../config/catalog/server-options.js';
import { serverKeyword } from './server.js';
import { assignIds } from '../config/postcheck.js';

/** Options HAProxy refuses on `add server` ("'cookie' option is not accepted for dynamic server"). */
const DYNAMIC_OK = new Set(CATALOG.filter((o) => o.dynamicOk).map((o) => o.name));

/** HAProxy names a dynamic server's origin "(null):0" in its duplicate-id message. */
const CLI_LOC: Loc = { file: '(null)', line: 0 };

export function parseAddedServer(
  options: Registry<LineOption>,
  config: ConfigModel,
  proxy: ProxyModel,
  existing: readonly ServerModel[],
  name: string,
  words: readonly string[],
): { server: ServerModel } | { error: string } {
  // Walk the words as the parser will, refusing what a dynamic server may not have first.
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    const row = options.get(w) ?? (w.startsWith('no-') ? options.get(w.slice(3)) : undefined);
    if (!row) break;
    if (!DYNAMIC_OK.has(row.name)) return { error: `'${w}' option is not accepted for dynamic server\n` };
    if (row.name === w) i += row.args;
  }
  // No `default-server` settings apply to a dynamic server (management.txt, "add server").
  const scratch: ProxyModel = { ...proxy, servers: [], defaultServer: {} };
  const diag = new Diagnostics();
  const args = [name, ...words];
  const ctx: KwContext = {
    diag,
    loc: CLI_LOC,
    key: 'server',
    args,
    words: ['server', ...args],
    negated: false,
    config,
    proxy: scratch,
    section: { type: proxy.type, name: proxy.name },
    env: { getenv: () => undefined, cwd: process.cwd() },
    fail(message) {
      diag.alert('E_BAD_ARG', CLI_LOC, message);
      return undefined;
    },
    warn(message) {
      diag.warning('W_CONFIG', CLI_LOC, message);
    },
  };
  serverKeyword(options).parse!(ctx);
  const alert = diag.items.find((d) => d.severity === 'alert' && !d.nonFatal);
  if (alert) return { error: `${alert.message.replace(`'server ${proxy.name}/${name}' : `, '')}\n` };
  const server = scratch.servers[0]!;
  if (server.address?.family === 'hostname') {
    return { error: `could not resolve address '${server.address.host}': Switchyard does not resolve names of servers added at run time yet.\n` };
  }
  const id = server.options['id'];
  if (typeof id === 'number') {
    const other = existing.find((s) => s.id === id);
    if (other) return { error: `'id' : custom id ${id} already used at ${other.loc.file}:${other.loc.line} ('server ${other.name}').\n` };
    server.id = id;
  } else {
    // The lowest id no server of the backend has (as HAProxy's get_next_id).
    assignIds([server], existing.map((s) => s.id));
  }
  return { server };
}
