// Capabilities of the native addon (SO_REUSEPORT, splice, CPU pinning) for -vv and
// feature(): what loaded, never what is planned. Without the addon: none, so -vv says
// -REUSEPORT -SPLICE -CPU_AFFINITY.

export { nativeFeatures } from './addon.js';
