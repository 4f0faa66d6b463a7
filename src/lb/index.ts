// The balancer registry: `balance` algorithm name → factory. Algorithms without a module yet
// (rdp-cookie: it needs TCP content inspection) are still parsed (./algorithms.ts) but refused
// as not implemented by the config layer.

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
] as const) {
  BALANCERS.add({ name, factory });
}
BALANCERS.freeze();
