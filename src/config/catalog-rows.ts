// Adapters from HAProxy's keyword catalogs (plain data in ./catalog/) to registry rows: every
// keyword HAProxy knows becomes at least a placeholder that checks its argument count and is
// then refused as "not implemented yet" — recognised, never silently accepted.

import type { SectionKeyword } from './keyword.js';
import { pending } from './status.js';
import { GLOBAL_KEYWORDS as GLOBAL_TABLE, type GlobalKeyword } from './catalog/global.js';

function globalRow(k: GlobalKeyword): SectionKeyword | undefined {
  if (k.status === 'unavailable') return undefined; // HAProxy itself reports these as unknown
  if (k.status === 'removed') {
    const message = (k.message ?? `'${k.name}' is not supported any more.`).replace(/^parsing \[\{file\}:\{line\}\] : /, '');
    return { name: k.name, status: 'ready', parse: (ctx) => ctx.fail(message, 'E_UNSUPPORTED') };
  }
  return {
    name: k.name,
    status: pending('other'),
    minArgs: k.minArgs,
    maxArgs: k.maxArgs ?? undefined,
    negatable: k.noPrefix,
  };
}

export const GLOBAL_CATALOG: readonly SectionKeyword[] = GLOBAL_TABLE.map(globalRow).filter((r): r is SectionKeyword => r !== undefined);
