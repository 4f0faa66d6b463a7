// The README's compatibility matrix must be exactly what the registries say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installFeatures } from '../src/features.js';
import { renderMatrix, replaceMatrix } from '../src/tools/matrix.js';

test('README compatibility matrix is generated from the registries (run `npm run matrix`)', () => {
  const path = fileURLToPath(new URL('../../README.md', import.meta.url));
  const readme = readFileSync(path, 'utf8');
  assert.equal(readme, replaceMatrix(readme, renderMatrix(installFeatures())));
});

test('every registry is frozen after installation', () => {
  const r = installFeatures();
  for (const reg of [...r.sections.values(), r.bindOptions, r.serverOptions, r.fetches, r.converters]) {
    assert.equal(reg.isFrozen, true, reg.kind);
  }
});
