import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import * as ss from 'simple-statistics';
import { beforeAll, describe, expect, test } from 'vitest';
import { readTable, type TableManifest } from '../../../analysis/ingest/read-table.js';
import { PROFILE_PHASES, profileTable } from '../../../analysis/profile/profile-table.js';
import type { EdaResult } from '../../../analysis/profile/types.js';
import { VEGA } from '../../helpers/client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-'));
/** Linear-interpolation quantile (numpy's default), computed independently of DuckDB. */
const quantile = (sorted: number[], p: number) => {
  const h = (sorted.length - 1) * p, lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)]) - sorted[lo]);
};

describe('profileTable on vega-datasets cars.json', () => {
  let eda: EdaResult;
  let manifest: TableManifest;
  let raw: Record<string, unknown>[];
  const phases: string[] = [];
  beforeAll(async () => {
    const parquet = path.join(tmp, 'cars.parquet');
    manifest = await readTable({ inputPath: VEGA('cars.json'), format: 'json', parquetOut: parquet });
    eda = await profileTable(parquet, manifest.columns, { done: [], onPhase: (p) => phases.push(p) });
    raw = JSON.parse(fs.readFileSync(VEGA('cars.json'), 'utf8'));
  });

  test('every step is announced in order, so the heartbeat can say where a long profile is', () => {
    expect(phases).toEqual([...PROFILE_PHASES]);
  });

  test.each(['Miles_per_Gallon', 'Horsepower', 'Weight_in_lbs', 'Acceleration'])('%s statistics match simple-statistics', (name) => {
    const values = raw.map((r) => r[name]).filter((v): v is number => typeof v === 'number');
    const p = eda.columns.find((c) => c.name === name)!;
    const sorted = [...values].sort((a, b) => a - b);
    expect(p.count).toBe(values.length);
    expect(p.missing).toBe(raw.length - values.length);
    expect(p.distinct).toBe(new Set(values).size);
    expect(p.mean).toBeCloseTo(ss.mean(values), 9);
    expect(p.std).toBeCloseTo(ss.sampleStandardDeviation(values), 9);
    expect(p.min).toBe(ss.min(values));
    expect(p.max).toBe(ss.max(values));
    expect(p.skewness).toBeCloseTo(ss.sampleSkewness(values), 6);
    for (const [k, q] of [['p5', 0.05], ['p25', 0.25], ['p50', 0.5], ['p75', 0.75], ['p95', 0.95]] as const) expect(p.quantiles![k]).toBeCloseTo(quantile(sorted, q), 9);
    expect(p.histogram!.reduce((s, b) => s + b.count, 0)).toBe(values.length);
    expect(p.histogram).toHaveLength(30);
  });

  test('Pearson correlations match simple-statistics on complete pairs and lie in [-1, 1]', () => {
    const { columns, matrix } = eda.correlations;
    const i = columns.indexOf('Horsepower'), j = columns.indexOf('Weight_in_lbs');
    const pairs = raw.filter((r) => typeof r.Horsepower === 'number' && typeof r.Weight_in_lbs === 'number');
    expect(matrix[i][j]).toBeCloseTo(ss.sampleCorrelation(pairs.map((r) => r.Horsepower as number), pairs.map((r) => r.Weight_in_lbs as number)), 9);
    for (const row of matrix) for (const r of row) if (r !== null) expect(Math.abs(r)).toBeLessThanOrEqual(1 + 1e-12);
  });

  test('categorical columns get top values whose counts add up', () => {
    const origin = eda.columns.find((c) => c.name === 'Origin')!;
    expect(origin.top_values!.map((t) => t.value).sort()).toEqual(['Europe', 'Japan', 'USA']);
    expect(origin.top_values!.reduce((s, t) => s + t.count, 0)).toBe(origin.count);
  });

  test('dataset summary and alerts', () => {
    expect(eda.dataset).toMatchObject({ rows: 406, cols: 9, duplicate_rows: 0 });
    expect(eda.dataset.missing_cells).toBe(eda.columns.reduce((s, c) => s + c.missing, 0));
    expect(eda.alerts.filter((a) => a.kind === 'HIGH_CORRELATION').length).toBeGreaterThan(0);
    // 311 names in 406 rows: near-unique text is an identifier, not a 311-level category.
    expect(eda.columns.find((c) => c.name === 'Name')!.type).toBe('identifier');
    expect(eda.alerts.find((a) => a.kind === 'ID_LIKE')?.column).toBe('Name');
  });
});

test('columns named like SQL aliases (b, n, v) profile correctly', async () => {
  const csv = path.join(tmp, 'alias.csv');
  fs.writeFileSync(csv, 'b,n,v\n1,x,3\n2,y,4\n3,x,5\n1,x,3\n');
  const parquet = path.join(tmp, 'alias.parquet');
  const m = await readTable({ inputPath: csv, format: 'csv', parquetOut: parquet });
  const eda = await profileTable(parquet, m.columns, { done: [] });
  expect(eda.columns.map((c) => c.count)).toEqual([4, 4, 4]);
  expect(eda.columns[1].top_values![0]).toEqual({ value: 'x', count: 3 });
  expect(eda.dataset.duplicate_rows).toBe(1);
  expect(eda.alerts.map((a) => a.kind)).toContain('DUPLICATES');
});

test('profiling resumes after the columns an earlier attempt finished, without redoing them', async () => {
  const parquet = path.join(tmp, 'p.parquet');
  const m = await readTable({ inputPath: VEGA('penguins.json'), format: 'json', parquetOut: parquet });
  const full = await profileTable(parquet, m.columns, { done: [] });
  const seen: number[] = [];
  const fake = { ...full.columns[0], mean: 12345 }; // marks the reused column
  const resumed = await profileTable(parquet, m.columns, { done: [fake, full.columns[1]], onColumn: async (d) => { seen.push(d.length); } });
  // Two columns run at once; checkpoints report the finished prefix in column order, growing to all 7.
  expect(seen[0]).toBeGreaterThanOrEqual(3);
  expect(seen.every((n, i) => i === 0 || n > seen[i - 1])).toBe(true);
  expect(seen.at(-1)).toBe(7);
  expect(resumed.columns[0].mean).toBe(12345);
  expect(resumed.columns.slice(2)).toEqual(full.columns.slice(2));
});
