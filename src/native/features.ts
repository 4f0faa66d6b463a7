// Capabilities of the native addon (SO_REUSEPORT, splice, CPU pinning). The addon lands with
// the data plane; until it is built and loaded this reports none, so -vv says
// -REUSEPORT -SPLICE -CPU_AFFINITY and nothing claims what it cannot do.

export function nativeFeatures(): ReadonlySet<string> {
  return new Set<string>();
}
