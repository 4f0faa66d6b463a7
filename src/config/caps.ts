// Shorthands for the proxy keyword matrix (configuration.txt §4.1): which proxy types accept
// a keyword. `listen` accepts anything a frontend or a backend accepts.

import type { ProxyCaps } from './keyword.js';

export const ALL: ProxyCaps = { defaults: true, frontend: true, backend: true };
export const FE: ProxyCaps = { defaults: false, frontend: true, backend: false };
export const BE: ProxyCaps = { defaults: false, frontend: false, backend: true };
export const DEF_FE: ProxyCaps = { defaults: true, frontend: true, backend: false };
export const DEF_BE: ProxyCaps = { defaults: true, frontend: false, backend: true };
export const FE_BE: ProxyCaps = { defaults: false, frontend: true, backend: true };
