// The 32-bit hashes of the crc32/crc32c/djb2/sdbm/wt6 converters and the optional "full
// avalanche" step: the same functions hash-based balancing uses (src/lb/hash.ts), plus
// crc32c, which only the converter offers. Outputs are unsigned 32-bit integers; values were
// checked against haproxy 2.6.12 (test/rules-runtime.test.ts, test/lb.test.ts).

export { crc32, djb2, fullHash, sdbm, wt6 } from '../../lb/hash.js';

/** CRC-32C (Castagnoli), reflected, table-driven. */
const CRC32C = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC32C[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
