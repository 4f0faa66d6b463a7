// Parse and check a configuration text the way the CLI does; fails the test on any alert
// other than "not implemented" ones.

import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/parser.js';
import { installFeatures } from '../../src/features.js';
import { condEnv } from '../../src/cli/main.js';
import { postCheck } from '../../src/config/postcheck.js';
import type { ConfigModel } from '../../src/config/model.js';

const registries = installFeatures();

export function checkedModel(text: string, opts: { allowPending?: boolean } = {}): ConfigModel {
  const { model, diag } = parseConfig([{ name: 't.cfg', text }], {
    env: { getenv: (n) => process.env[n], cwd: process.cwd() },
    cond: condEnv(process.env, registries),
    registries,
  });
  postCheck(model, diag, registries);
  const real = diag.items.filter((d) => d.severity === 'alert' && (opts.allowPending === false || d.code !== 'E_NOT_IMPLEMENTED' || !opts.allowPending));
  assert.deepEqual(real.map((d) => d.message), [], 'config errors');
  return model;
}
