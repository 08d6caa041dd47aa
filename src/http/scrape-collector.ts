// A metric whose samples are computed when scraped, in the shape prom-client's Registry reads: the query path
// keeps plain counters and bucket arrays, and nothing is copied until Prometheus asks.
import type { Registry } from 'prom-client';
import type { BucketHistogram } from '../server/bucket-histogram.js';

export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

export interface ScrapeCollector {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

export function collector(name: string, help: string, type: ScrapeCollector['type'], samples: () => Sample[]): ScrapeCollector {
  return { name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: samples() }), reset: () => {} };
}

export function registerCollectors(registry: Registry, collectors: ScrapeCollector[]): void {
  for (const metric of collectors) registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

/** The `_bucket` (cumulative, with `le`), `_sum` and `_count` samples of one histogram series. */
export function histogramSamples(name: string, bounds: readonly number[], histogram: BucketHistogram, labels: Labels): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += histogram.counts[i];
    samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: i < bounds.length ? String(bounds[i]) : '+Inf' }, value: cumulative });
  }
  samples.push({ metricName: `${name}_sum`, labels, value: histogram.sum });
  samples.push({ metricName: `${name}_count`, labels, value: cumulative });
  return samples;
}
