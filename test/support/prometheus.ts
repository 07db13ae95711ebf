/**
 * Prometheus text read as a scraper reads it, with an independent parser (parse-prometheus-text-format,
 * which ships no types: its shape is declared here), and the value of one sample looked up by name
 * and labels. That parser folds all of a histogram's labelled series into one unlabelled series, so a
 * histogram is handed to it as its three plain series (`_bucket`, `_sum`, `_count`) and put back
 * together here, one series per label set.
 */
import { createRequire } from 'node:module';

export interface PromSample {
  labels?: Record<string, string>;
  value?: string;
  /** Histograms: the cumulative counts by upper bound, the count and the sum. */
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface PromFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: PromSample[];
}

const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PromFamily[];

export function parsePrometheus(text: string): PromFamily[] {
  const histograms = new Set([...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]!));
  const parsed = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  const families: PromFamily[] = [];
  for (const f of parsed) {
    const base = f.name.replace(/_(bucket|sum|count)$/, '');
    if (!histograms.has(base)) families.push(f);
    else if (f.name === base) families.push({ ...f, type: 'HISTOGRAM', metrics: [] });
  }
  for (const name of histograms) {
    const series = new Map<string, PromSample>();
    const of = (labels: Record<string, string> = {}) => {
      const { le: _le, ...rest } = labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      if (!series.has(key)) series.set(key, { labels: rest, buckets: {} });
      return series.get(key)!;
    };
    // Each label set's lines come as a run of buckets, a sum and a count: each run is a family of its own.
    const samplesOf = (suffix: string) => parsed.filter((f) => f.name === `${name}_${suffix}`).flatMap((f) => f.metrics);
    for (const m of samplesOf('bucket')) of(m.labels).buckets![m.labels!.le!] = m.value!;
    for (const m of samplesOf('sum')) of(m.labels).sum = m.value!;
    for (const m of samplesOf('count')) of(m.labels).count = m.value!;
    const help = parsed.find((f) => f.name === name)?.help ?? '';
    const existing = families.find((f) => f.name === name);
    if (existing) existing.metrics = [...series.values()];
    else families.push({ name, help, type: 'HISTOGRAM', metrics: [...series.values()] });
  }
  return families;
}

export function family(families: PromFamily[], name: string): PromFamily {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`no series ${name} in the scrape (has ${families.map((f) => f.name).join(', ')})`);
  return found;
}

/** The samples of `name` whose labels include `labels`. */
export function samples(families: PromFamily[], name: string, labels: Record<string, string> = {}): PromSample[] {
  return family(families, name).metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

/** The value of the one sample of a counter or gauge with `labels` (0 when none has them yet). */
export function valueOf(families: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  const found = samples(families, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} have ${JSON.stringify(labels)}`);
  return found.length === 0 ? 0 : Number(found[0]!.value);
}

/** The count of a histogram's observations with `labels`, added up over its other labels. */
export function countOf(families: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  return samples(families, name, labels).reduce((n, m) => n + Number(m.count), 0);
}
