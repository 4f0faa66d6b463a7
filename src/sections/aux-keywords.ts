// Keywords of the sections that are neither global nor proxies (userlist, peers, resolvers,
// cache, http-errors, mailers, program, ring, log-forward). Recognised and argument-checked;
// their behaviour lands with the features that use them.

import type { SectionKeyword } from '../config/keyword.js';
import type { SectionGroup } from '../config/parser.js';
import { pending, type Area } from '../config/status.js';
import { errorfile } from '../http/keywords.js';
import { MAILERS_KEYWORDS } from '../checks/mailers.js';

const rows = (area: Area, spec: Record<string, [number, number?]>): SectionKeyword[] =>
  Object.entries(spec).map(([name, [min, max]]) => ({ name, status: pending(area), minArgs: min, maxArgs: max, multi: true }));

export const AUX_SECTION_KEYWORDS: ReadonlyMap<SectionGroup, readonly SectionKeyword[]> = new Map<SectionGroup, SectionKeyword[]>([
  ['userlist', rows('http', { group: [1], user: [1] })],
  [
    'peers',
    rows('peers', { peer: [2], server: [1], bind: [1], 'default-server': [0], 'default-bind': [0], table: [1], disabled: [0, 0], enabled: [0, 0], log: [1], shards: [1, 1] }),
  ],
  [
    'resolvers',
    rows('resolvers', {
      nameserver: [2, 2],
      'parse-resolv-conf': [0, 0],
      accepted_payload_size: [1, 1],
      hold: [2, 2],
      resolve_retries: [1, 1],
      'timeout resolve': [1, 1],
      'timeout retry': [1, 1],
    }),
  ],
  ['cache', rows('cache', { 'total-max-size': [1, 1], 'max-object-size': [1, 1], 'max-age': [1, 1], 'process-vary': [1, 1], 'max-secondary-entries': [1, 1] })],
  // Read by `errorfiles NAME` and `http-error … errorfiles NAME` (src/rules/runtime/reply.ts).
  ['http-errors', [{ name: 'errorfile', status: 'ready', multi: true, parse: errorfile }]],
  ['mailers', MAILERS_KEYWORDS],
  ['program', rows('process', { command: [1], user: [1, 1], group: [1, 1], 'option start-on-reload': [0, 0] })],
  ['ring', rows('logging', { description: [1], format: [1, 1], maxlen: [1, 1], size: [1, 1], 'timeout connect': [1, 1], 'timeout server': [1, 1], server: [2] })],
  ['log-forward', rows('logging', { bind: [1], 'dgram-bind': [1], log: [1], maxconn: [1, 1], backlog: [1, 1], 'timeout client': [1, 1] })],
]);
