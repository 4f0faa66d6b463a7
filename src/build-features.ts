// The build feature list (`-vv` "Feature list", `-cc 'feature(X)'`, `.if feature(X)`). Only
// honest entries: a feature is '+' when this process can actually do it, judged from what is
// registered as ready and what the native addon provides, never from what is planned.

export interface BuildFeature {
  readonly name: string;
  readonly present: boolean;
  readonly why: string;
}

export interface FeatureFacts {
  /** Keyword/row statuses the list depends on, e.g. 'bind ssl' → ready? */
  isReady(what: string): boolean;
  /** Capabilities reported by the native addon, when it loaded. */
  readonly native: ReadonlySet<string>;
}

export function buildFeatures(f: FeatureFacts): BuildFeature[] {
  const list: BuildFeature[] = [
    { name: 'CPU_AFFINITY', present: f.native.has('CPU_AFFINITY'), why: 'native addon: pin worker threads' },
    { name: 'OPENSSL', present: f.isReady('bind-option ssl'), why: "TLS termination ('bind ... ssl')" },
    { name: 'PROMEX', present: f.isReady('service prometheus-exporter'), why: 'Prometheus exporter' },
    { name: 'REUSEPORT', present: f.native.has('REUSEPORT'), why: 'native addon: SO_REUSEPORT listeners' },
    { name: 'SPLICE', present: f.native.has('SPLICE'), why: 'native addon: splice(2) forwarding' },
    { name: 'SYSTEMD', present: f.isReady('global master-worker'), why: 'sd_notify in master-worker mode' },
    { name: 'THREAD', present: f.isReady('global nbthread'), why: 'worker threads (nbthread)' },
    { name: 'ZLIB', present: f.isReady('proxy compression algo'), why: 'gzip/deflate compression' },
  ];
  return list.sort((a, b) => a.name.localeCompare(b.name));
}

export function featureLine(list: readonly BuildFeature[]): string {
  return 'Feature list : ' + list.map((x) => (x.present ? '+' : '-') + x.name).join(' ');
}
