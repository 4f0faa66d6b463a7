// The balancer registry: `balance` algorithm name → factory. An algorithm without a row here
// would still be parsed (./algorithms.ts) but refused as not implemented by the config layer.

import { Registry } from '../config/registry.js';
import type { BalancerFactory } from './types.js';
import { roundrobin, staticRr } from './roundrobin.js';
import { leastconn } from './leastconn.js';
import { first } from './first.js';
import { source } from './source.js';
import { random } from './random.js';
import { keyed } from './keyed.js';

export interface BalancerRow {
  readonly name: string;
  readonly factory: BalancerFactory;
}

export const BALANCERS = new Registry<BalancerRow>('balancers');
for (const [name, factory] of [
  ['roundrobin', roundrobin],
  ['static-rr', staticRr],
  ['leastconn', leastconn],
  ['first', first],
  ['source', source],
  ['random', random],
  ['uri', keyed('uri')],
  ['url_param', keyed('url_param')],
  ['hdr', keyed('hdr')],
  ['hash', keyed('hash')],
  // The key is the request's RDP cookie (src/dataplane/tcp-session.ts); HTTP requests have none.
  ['rdp-cookie', keyed('rdp-cookie')],
] as const) {
  BALANCERS.add({ name, factory });
}
BALANCERS.freeze();
