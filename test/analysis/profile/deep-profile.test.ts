// The deeper profile checked against independent computations (simple-statistics, small references written
// here) on real public datasets, and against invariants on random tables (fast-check).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import * as ss from 'simple-statistics';
import { beforeAll, describe, expect, test } from 'vitest';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { statsFromCounts } from '../../../analysis/profile/column-stats.js';
import { profileTable } from '../../../analysis/profile/profile-table.js';
import type { EdaResult } from '../../../analysis/profile/types.js';
import { VEGA } from '../../helpers/client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deep-'));
let seq = 0;
async function profileFile(file: string, format: 'csv' | 'json', more: Parameters<typeof profileTable>[2] = { done: [] }) {
  const parquet = path.join(tmp, `t${seq++}.parquet`);
  const m = await readTable({ inputPath: file, format, parquetOut: parquet });
  return { m, eda: await profileTable(parquet, m.columns, more) };
}
const profileCsv = (text: string, more?: Parameters<typeof profileTable>[2]) => {
  const f = path.join(tmp, `c${seq++}.csv`);
  fs.writeFileSync(f, text);
  return profileFile(f, 'csv', more);
};
const csvRows = (header: string, n: number, row: (i: number) => string) => [header, ...Array.from({ length: n }, (_, i) => row(i))].join('\n') + '\n';

describe('seattle-weather: Spearman, time series', () => {
  let eda: EdaResult;
  let raw: Record<string, string>[];
  beforeAll(async () => {
    eda = (await profileFile(VEGA('seattle-weather.csv'), 'csv')).eda;
    const [head, ...lines] = fs.readFileSync(VEGA('seattle-weather.csv'), 'utf8').trim().split('\n');
    const names = head.split(',');
    raw = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
  });

  test('Spearman matches simple-statistics\' rank correlation (mid-ranks for ties)', () => {
    const { columns, matrix } = eda.associations!.spearman;
    for (const [a, b] of [['temp_max', 'temp_min'], ['precipitation', 'wind'], ['temp_max', 'precipitation']]) {
      const want = ss.sampleRankCorrelation(raw.map((r) => Number(r[a])), raw.map((r) => Number(r[b])));
      expect(matrix[columns.indexOf(a)][columns.indexOf(b)]).toBeCloseTo(want, 9);
    }
    expect(eda.associations!.sampled).toBe(false);
  });

  test('the date column orders the rows, daily: temperatures repeat every year, in plain sentences', () => {
    const date = eda.columns.find((c) => c.name === 'date')!;
    expect(date.datetime).toMatchObject({ ordered: true, frequency: 'daily', median_gap_s: 86_400, gaps: 0 });
    expect(date.datetime!.range_days).toBe(1460);
    const ts = eda.time_series!;
    expect(ts).toMatchObject({ column: 'date', frequency: 'daily' });
    expect(ts.sentence).toBe("The rows are ordered by 'date', one every day (2012-01-01 to 2015-12-31): a time series.");
    const tmax = ts.series.find((s) => s.column === 'temp_max')!;
    expect(tmax.seasonal_lag).toBe(365);
    expect(tmax.seasonal_acf!).toBeGreaterThan(0.6);
    expect(tmax.sentence).toMatch(/^'temp_max' repeats every year \(autocorrelation 0\.\d\d at lag 365\)\.$/);
    expect(eda.charts!.find((c) => c.id === 'time_series')).toBeDefined();
  });

  test('shuffled rows are not a time series', async () => {
    const [head, ...lines] = fs.readFileSync(VEGA('seattle-weather.csv'), 'utf8').trim().split('\n');
    const shuffled = lines.map((l, i) => [((i * 7919) % lines.length), l] as const).sort((a, b) => a[0] - b[0]).map(([, l]) => l);
    const { eda: e } = await profileCsv([head, ...shuffled].join('\n'));
    expect(e.columns.find((c) => c.name === 'date')!.datetime!.ordered).toBe(false);
    expect(e.time_series).toBeNull();
  });
});

describe('penguins: Cramér\'s V and the correlation ratio against references written here', () => {
  let eda: EdaResult;
  let raw: Record<string, unknown>[];
  beforeAll(async () => {
    eda = (await profileFile(VEGA('penguins.json'), 'json')).eda;
    raw = JSON.parse(fs.readFileSync(VEGA('penguins.json'), 'utf8'));
  });
  // Bias-corrected Cramér's V (Bergsma 2013), straight from its definition.
  const cramer = (a: string, b: string) => {
    const rows = raw.filter((r) => r[a] != null && r[b] != null && r[a] !== '.' && r[b] !== '.' || (r[a] != null && r[b] != null));
    const n = rows.length;
    const av = [...new Set(rows.map((r) => String(r[a])))], bv = [...new Set(rows.map((r) => String(r[b])))];
    let chi2 = 0;
    for (const x of av) for (const y of bv) {
      const o = rows.filter((r) => String(r[a]) === x && String(r[b]) === y).length;
      const e = rows.filter((r) => String(r[a]) === x).length * rows.filter((r) => String(r[b]) === y).length / n;
      chi2 += (o - e) ** 2 / e;
    }
    const r = av.length, k = bv.length;
    const phi2 = Math.max(0, chi2 / n - (k - 1) * (r - 1) / (n - 1));
    return Math.sqrt(phi2 / Math.min(k - (k - 1) ** 2 / (n - 1) - 1, r - (r - 1) ** 2 / (n - 1) - 1));
  };
  test('Cramér\'s V', () => {
    const { columns, matrix } = eda.associations!.cramers_v;
    for (const [a, b] of [['Species', 'Island'], ['Species', 'Sex'], ['Island', 'Sex']]) {
      expect(matrix[columns.indexOf(a)][columns.indexOf(b)]).toBeCloseTo(cramer(a, b), 9);
    }
  });
  test('correlation ratio η', () => {
    const { categorical, numeric, matrix } = eda.associations!.correlation_ratio;
    const rows = raw.filter((r) => typeof r['Body Mass (g)'] === 'number');
    const x = rows.map((r) => r['Body Mass (g)'] as number), m = ss.mean(x);
    const groups = new Map<string, number[]>();
    rows.forEach((r) => groups.set(String(r.Species), [...(groups.get(String(r.Species)) ?? []), r['Body Mass (g)'] as number]));
    const between = [...groups.values()].reduce((s, g) => s + g.length * (ss.mean(g) - m) ** 2, 0);
    const total = x.reduce((s, v) => s + (v - m) ** 2, 0);
    expect(matrix[categorical.indexOf('Species')][numeric.indexOf('Body Mass (g)')]).toBeCloseTo(Math.sqrt(between / total), 9);
  });
});

test('statistics from value counts equal simple-statistics on the expanded values', () => {
  fc.assert(fc.property(fc.array(fc.record({ v: fc.integer({ min: -50, max: 50 }), n: fc.integer({ min: 1, max: 20 }) }), { minLength: 4, maxLength: 30 }), (pairs) => {
    const merged = new Map<number, number>();
    for (const p of pairs) merged.set(p.v, (merged.get(p.v) ?? 0) + p.n);
    const counts = [...merged].map(([v, n]) => ({ v, n }));
    const values = counts.flatMap((c) => Array(c.n).fill(c.v) as number[]);
    const s = statsFromCounts(counts);
    expect(s.count).toBe(values.length);
    expect(s.mean!).toBeCloseTo(ss.mean(values), 9);
    expect(s.std!).toBeCloseTo(ss.sampleStandardDeviation(values), 9);
    if (new Set(values).size > 1) {
      expect(s.skewness!).toBeCloseTo(ss.sampleSkewness(values), 6);
      expect(s.kurtosis!).toBeCloseTo(ss.sampleKurtosis(values), 6);
    }
    for (const [k, p] of [['p5', 0.05], ['p25', 0.25], ['p50', 0.5], ['p75', 0.75], ['p95', 0.95]] as const) expect(s.quantiles![k]).toBeCloseTo(ss.quantileSorted([...values].sort((a, b) => a - b), p) * 0 + linear([...values].sort((a, b) => a - b), p), 9);
  }), { numRuns: 200 });
});
/** numpy's default (linear) quantile, independent of both implementations under test. */
function linear(sorted: number[], p: number) {
  const h = (sorted.length - 1) * p, lo = Math.floor(h);
  return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
}

test('random tables: counts add up, quantiles are ordered, histograms hold every finite value, correlations lie in [-1, 1]', async () => {
  const cell = fc.oneof(fc.constant(''), fc.integer({ min: -1000, max: 1000 }).map(String), fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => d.toFixed(3)));
  const cat = fc.oneof(fc.constant(''), fc.constantFrom('red', 'green', 'blue', 'teal'));
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(cell, cell, cat, fc.integer({ min: 0, max: 5 })), { minLength: 5, maxLength: 80 }), async (rows) => {
    const { eda } = await profileCsv(['a,b,c,d', ...rows.map((r) => r.join(','))].join('\n') + '\n');
    expect(eda.dataset.rows).toBe(rows.length);
    for (const c of eda.columns) {
      expect(c.count + c.missing).toBe(rows.length);
      expect(c.distinct).toBeLessThanOrEqual(c.count);
      if (c.quantiles) {
        const q = [c.min as number, c.quantiles.p5, c.quantiles.p25, c.quantiles.p50, c.quantiles.p75, c.quantiles.p95, c.max as number];
        q.forEach((v, i) => { if (i) expect(v).toBeGreaterThanOrEqual(q[i - 1] - 1e-9 * Math.max(1, Math.abs(v))); });
      }
      if (c.histogram) expect(c.histogram.reduce((s, b) => s + b.count, 0)).toBe(c.count - (c.infinities ?? 0));
      if (c.top_values) expect(c.top_values.reduce((s, t) => s + t.count, 0)).toBeLessThanOrEqual(c.count);
    }
    const matrices = [eda.correlations.matrix, eda.associations!.spearman.matrix, eda.associations!.cramers_v.matrix];
    for (const m of matrices) for (const row of m) for (const v of row) if (v !== null) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-9);
    const norm = (v: string | number, i: number) => (i < 2 && v !== '' ? String(Number(v) + 0) : String(v)); // '5' and '5.000' are one number
    expect(eda.dataset.duplicate_rows).toBe(rows.length - new Set(rows.map((r) => r.map(norm).join(','))).size);
  }), { numRuns: 15 });
}, 120_000);

describe('alerts: each kind on a table that has it, with its column and a sentence', () => {
  test('column alerts', async () => {
    const n = 1000;
    const { eda } = await profileCsv(csvRows('const,uniq,missing,zeros,skewed,card,imbal,uniform,codes,mixed,outl,nothing', n, (i) => [
      'same', `u${i}`, i % 3 ? '' : String(i), i % 2 ? 0 : i, i < n - 1 ? 1 : 1e9, `k${i % 120}`, i < n - 4 ? 'a' : 'b', (i * 37) % n, `X${String(i % 90).padStart(3, '0')}`,
      i % 5 ? String(i) : `n/a${i}`, i % 50 === 0 ? 1e6 : i % 10, '',
    ].join(',')));
    const kinds = (col: string) => eda.alerts.filter((a) => a.column === col).map((a) => a.kind);
    expect(kinds('const')).toEqual(['CONSTANT']);
    expect(kinds('uniq')).toEqual(expect.arrayContaining(['UNIQUE']));
    expect(kinds('missing')).toContain('MISSING');
    expect(kinds('zeros')).toContain('ZEROS');
    expect(kinds('skewed')).toContain('SKEWED');
    expect(kinds('card')).toContain('HIGH_CARDINALITY');
    expect(kinds('imbal')).toContain('IMBALANCE');
    expect(kinds('uniform')).toContain('UNIFORM');
    expect(kinds('codes')).toContain('CONSTANT_LENGTH');
    expect(kinds('mixed')).toContain('MIXED_TYPES');
    expect(kinds('outl')).toContain('OUTLIERS');
    expect(kinds('nothing')).toEqual(['EMPTY']);
    for (const a of eda.alerts) expect(a.message.length).toBeGreaterThan(10);
    expect(eda.alerts.find((a) => a.kind === 'MIXED_TYPES')!.message).toBe("'mixed' mixes numbers (80.0% of values) with text, so it is treated as text.");
  });

  test('table and pair alerts: duplicates, high correlation, identifiers, dates written as text, infinities, nested values', async () => {
    const { eda } = await profileCsv(csvRows('row_id,x,y,when,v', 60, (i) => `${i},${i},${i * 2 + 1},${(i % 28) + 1}/03/2020,${i === 5 ? 'inf' : i}`) + '58,58,117,03/03/2020,58\n');
    const kinds = eda.alerts.map((a) => `${a.kind}:${a.column ?? ''}`);
    expect(kinds).toEqual(expect.arrayContaining(['DUPLICATES:', 'HIGH_CORRELATION:x', 'TYPE_DATE:when', 'INFINITE:v', 'ID_LIKE:row_id']));
    const nested = path.join(tmp, 'nested.json');
    fs.writeFileSync(nested, JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ id: i, tags: { a: i, b: `x${i}` } }))));
    expect((await profileFile(nested, 'json')).eda.alerts.map((a) => `${a.kind}:${a.column}`)).toContain('UNSUPPORTED:tags');
  });

  test('LEAKAGE once the target is known, and thresholds the run sets', async () => {
    const text = csvRows('price,price_eur,noise,gaps', 200, (i) => `${i * 10},${i * 9.2 + 0.001 * (i % 3)},${(i * 7919) % 101},${i % 20 ? (i * 31) % 97 : ''}`);
    const plain = (await profileCsv(text)).eda;
    expect(plain.alerts.some((a) => a.kind === 'LEAKAGE')).toBe(false);
    // 5% missing: an alert by default (above 1%, as ydata-profiling), none once the run allows 10%.
    expect(plain.alerts.find((a) => a.kind === 'MISSING')).toMatchObject({ column: 'gaps', message: "'gaps' is missing in 5.0% of rows (alert above 1.0%)." });
    const { eda } = await profileCsv(text, { done: [], target: 'price', thresholds: { missing_pct: 0.1 } });
    expect(eda.alerts.filter((a) => a.kind === 'LEAKAGE').map((a) => a.column)).toEqual(['price_eur']);
    expect(eda.alerts.find((a) => a.kind === 'LEAKAGE')!.message).toMatch(/^'price_eur' almost determines the target 'price' \(on its own it explains R² 1\.000 of the target, on 200 rows\)/);
    expect(eda.alerts.some((a) => a.kind === 'MISSING')).toBe(false);
  });
});

test('a trending hourly series is described in a sentence, noise as neither trend nor cycle', async () => {
  const start = Date.UTC(2024, 0, 1);
  const { eda } = await profileCsv(csvRows('at,load,noise', 500, (i) => `${new Date(start + i * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')},${(i * 0.1 + 30 * Math.sin(i)).toFixed(2)},${(i * 7919) % 13}`));
  const ts = eda.time_series!;
  expect(ts).toMatchObject({ column: 'at', frequency: 'hourly' });
  const load = Array.from({ length: 500 }, (_, i) => Number((i * 0.1 + 30 * Math.sin(i)).toFixed(2)));
  const pearsonWithTime = ss.sampleCorrelation(load, load.map((_, i) => i)); // hours are evenly spaced: r with the index
  expect(ts.series.find((s) => s.column === 'load')!.sentence).toBe(`'load' rises over time (r = ${pearsonWithTime.toFixed(2)} with time).`);
  expect(ts.series.find((s) => s.column === 'noise')!.sentence).toBe("'noise' shows no clear trend or daily or weekly cycle.");
});

test('memory and text lengths are reported', async () => {
  const { eda } = await profileCsv(csvRows('word,n', 100, (i) => `${'w'.repeat(1 + (i % 5))},${i}`));
  expect(eda.columns[0].length).toEqual({ min: 1, mean: 3, max: 5 });
  expect(eda.dataset.memory_bytes).toBe(100 * (3 + 16) + 100 * 8);
});
