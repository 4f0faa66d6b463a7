// A data plane in the test process, started from configuration text (checked as the CLI
// checks it); the test file's `after` hook calls stopPlanes() where its order needs it.

import { DataPlane, type DataPlaneOptions } from '../../src/dataplane/runtime.js';
import { loadAddon } from '../../src/native/addon.js';
import { checkedModel } from './model.js';

const planes: DataPlane[] = [];

export async function stopPlanes(): Promise<void> {
  for (const p of planes.splice(0)) await p.stop();
}

/** Default accept mode: 'shared' with the native addon, else pure-JS 'worker'. */
export async function startPlane(text: string, opts: DataPlaneOptions = {}): Promise<DataPlane> {
  const dp = new DataPlane(checkedModel(text), { mode: loadAddon() ? 'shared' : 'worker', ...opts });
  planes.push(dp);
  await dp.start();
  return dp;
}
