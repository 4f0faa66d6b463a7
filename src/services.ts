// Services usable with `http-request use-service` (and listed by -vv "Available services").

import { pending, type Status } from './config/status.js';
import type { Registries } from './features.js';

export interface ServiceRow {
  readonly name: string;
  readonly status: Status;
}

export const SERVICES: readonly ServiceRow[] = [{ name: 'prometheus-exporter', status: pending('stats') }];

/** Only services that work are listed (-vv is an honest inventory). */
export function availableServices(r: Registries): string[] {
  return r.services.all().filter((s) => s.status === 'ready').map((s) => s.name);
}
