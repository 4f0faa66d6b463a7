// The command line's connection limits, applied over the loaded configuration as HAProxy
// applies them: `-n N` is the global `maxconn` and takes precedence over the keyword; `-N N`
// is the default per-proxy `maxconn`, which a `maxconn` in a frontend or its defaults section
// still overrides (HAProxy presets its default proxy with it).

import type { ConfigModel, Directive } from '../config/model.js';

const fromCommandLine = (flag: string, n: number): Directive => ({ loc: { file: '<command line>', line: 0 }, key: 'maxconn', args: [flag, String(n)], value: n });

export function applyCommandLineLimits(model: ConfigModel, maxconn: number | undefined, maxpconn: number | undefined): void {
  if (maxconn !== undefined) model.global.settings['maxconn'] = fromCommandLine('-n', maxconn);
  if (maxpconn === undefined) return;
  for (const p of model.proxies) {
    if (p.cap.frontend && p.settings['maxconn'] === undefined) p.settings['maxconn'] = fromCommandLine('-N', maxpconn);
  }
}
