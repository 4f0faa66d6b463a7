// Every fetch with a runtime implementation; the catalog marks exactly these `ready`.
// Imports nothing from the catalog (the catalog imports this).

import type { FetchImpl } from './context.js';
import { INTERNAL_FETCHES } from './fetches-internal.js';
import { HTTP_FETCHES } from './fetches-http.js';
import { PAYLOAD_FETCHES } from './fetches-payload.js';

export const FETCH_IMPLS: Readonly<Record<string, FetchImpl>> = { ...INTERNAL_FETCHES, ...HTTP_FETCHES, ...PAYLOAD_FETCHES };
