// Every config block of the user guides (test/fixtures/seeds/) against what the real
// HAProxy 2.6.12 said about it (expected.json / all-errors.json, recorded once with
// test/tools/record-seed-expectations.ts):
//  - each line HAProxy rejects, we reject at the same line for the same reason;
//  - each of our other alerts is a "not implemented yet" naming a keyword listed in
//    pending.json for that block — a later issue that implements a keyword removes it there;
//  - HAProxy's located warnings are ours too.
// Set SY_UPDATE_PENDING=1 to rewrite pending.json from the current registries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '../src/cli/main.js';
import { makeSeedDir, seedFixtures } from './helpers/seed-env.js';
import type { Diagnostic } from '../src/config/diag.js';

interface HapError {
  line: number | null;
  severity?: 'alert' | 'warning';
  message: string;
}

const dir = fileURLToPath(new URL('../../test/fixtures/seeds/', import.meta.url));
const allErrors = JSON.parse(readFileSync(dir + 'all-errors.json', 'utf8')) as Record<string, HapError[]>;
const expected = JSON.parse(readFileSync(dir + 'expected.json', 'utf8')) as Record<string, { exit: number; alerts: HapError[]; warnings: HapError[] }>;
const pendingPath = dir + 'pending.json';
const pendingExpected = JSON.parse(readFileSync(pendingPath, 'utf8')) as Record<string, string[]>;

/** Compare messages without the nearest-keyword hint, whose candidate lists differ. */
function norm(m: string): string {
  return m.replace(/; did you mean '.*' maybe \?$/, '').replace(/\.$/, '').trim();
}

function pendingName(d: Diagnostic): string {
  const m = /'([^']+)' (?:on 'bind' )?is not implemented yet|^(fetch|converter) '([^']+)' is not implemented yet/.exec(d.message.replace(/^'server [^']+' : /, ''));
  if (!m) return d.message;
  return m[1] ?? `${m[2]} ${m[3]}`;
}

const seedDir = await makeSeedDir();
const env = { ...process.env, SY_SEED_DIR: seedDir };
const updated: Record<string, string[]> = {};

for (const file of seedFixtures()) {
  const name = basename(file);
  test(`seed ${name}`, () => {
    const { diag } = checkConfig([{ name, text: readFileSync(file, 'latin1') }], env);
    const ours = diag.items;
    const hap = [...(allErrors[name] ?? []).map((e) => ({ ...e, severity: e.severity ?? 'alert' }))];
    // Alerts HAProxy gives without a line (post-parse checks) come from expected.json.
    for (const a of expected[name]?.alerts ?? []) if (a.line === null) hap.push({ ...a, severity: 'alert' });

    for (const h of hap) {
      const found = ours.some(
        (d) => d.severity === h.severity && (d.loc?.line ?? null) === h.line && norm(d.message) === norm(h.message),
      );
      assert.ok(found, `HAProxy ${h.severity} at line ${h.line}: "${h.message}" — not reported by us.\nOurs:\n${ours.map((d) => `  ${d.severity} ${d.loc?.line ?? '-'} ${d.message}`).join('\n')}`);
    }
    const extra = ours.filter(
      (d) =>
        d.severity === 'alert' &&
        d.code !== 'E_NOT_IMPLEMENTED' &&
        !hap.some((h) => h.severity === 'alert' && (d.loc?.line ?? null) === h.line && norm(d.message) === norm(h.message)),
    );
    assert.deepEqual(extra.map((d) => `${d.loc?.line ?? '-'} ${d.message}`), [], 'alerts HAProxy does not give');

    const pendingNow = [...new Set(ours.filter((d) => d.code === 'E_NOT_IMPLEMENTED').map(pendingName))].sort();
    updated[name] = pendingNow;
    if (!process.env['SY_UPDATE_PENDING']) {
      assert.deepEqual(pendingNow, pendingExpected[name] ?? [], 'keywords still pending for this block (update pending.json when one lands)');
    }
  });
}

test('pending.json covers exactly the fixtures', { skip: !!process.env['SY_UPDATE_PENDING'] }, () => {
  assert.deepEqual(Object.keys(pendingExpected).sort(), seedFixtures().map((f) => basename(f)).sort());
});

process.on('beforeExit', () => {
  if (process.env['SY_UPDATE_PENDING'] && Object.keys(updated).length) {
    writeFileSync(pendingPath, JSON.stringify(updated, Object.keys(updated).sort(), 2) + '\n');
  }
});
