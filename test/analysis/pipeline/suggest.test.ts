import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { parseSteps } from '../../../analysis/pipeline/steps.js';
import { suggestSteps } from '../../../analysis/pipeline/suggest.js';
import { suggestForTable, type TableSuggestions } from '../../../analysis/pipeline/suggest-table.js';
import { messyCsv } from '../../helpers/messy.js';

/** The CSV's figures counted here in plain JavaScript, independently of DuckDB and the profile. */
function figures(csv: string) {
  const [head, ...lines] = csv.trim().split('\n');
  const names = head.split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
  const count = (f: (r: Record<string, string>) => boolean) => rows.filter(f).length;
  const cities = new Map<string, number>();
  for (const r of rows) if (r.city) cities.set(r.city, (cities.get(r.city) ?? 0) + 1);
  const nonEmptyCity = [...cities.values()].reduce((s, n) => s + n, 0);
  return {
    rows: rows.length, duplicates: rows.length - new Set(lines).size,
    ageMissing: count((r) => r.age === ''), cityMissing: count((r) => r.city === ''), unknownSignup: count((r) => r.signup === 'unknown'),
    rareCities: [...cities.values()].filter((n) => n < 0.01 * nonEmptyCity).length, churn: [count((r) => r.churn === '0'), count((r) => r.churn === '1')],
  };
}

let s: TableSuggestions;
const csv = messyCsv();
const f = figures(csv);
beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'suggest-'));
  fs.writeFileSync(path.join(dir, 'messy.csv'), csv);
  const m = await readTable({ inputPath: path.join(dir, 'messy.csv'), format: 'csv', parquetOut: path.join(dir, 'messy.parquet') });
  s = await suggestForTable(path.join(dir, 'messy.parquet'), m.columns);
});
const find = (step: string, column?: string) => s.steps.find((x) => x.step === step && (column === undefined || ('column' in x && x.column === column)));

test('every family of step is proposed where the messy table calls for it, each reason quoting its figure', () => {
  expect(find('deduplicate')?.reason).toContain(`${f.duplicates} of ${f.rows} rows`);
  expect(find('drop_column', 'const')?.reason).toContain('single value');
  expect(find('drop_column', 'id')?.reason).toMatch(/identifier: 400 distinct values/);
  expect(find('parse_dates', 'signup')?.reason).toContain(`${f.rows - f.unknownSignup} of ${f.rows} values`);
  expect(find('impute', 'age')).toMatchObject({ params: { strategy: 'median' } });
  expect(find('impute', 'age')?.reason).toContain(`missing in ${f.ageMissing} of ${f.rows} rows`);
  expect(find('impute', 'city')).toMatchObject({ params: { strategy: 'mode' } });
  expect(find('impute', 'city')?.reason).toContain(`missing in ${f.cityMissing} of ${f.rows}`);
  expect(find('log_transform', 'income')?.reason).toMatch(/skewness \d+\.\d\d/);
  expect(find('cap_outliers', 'income')?.reason).toMatch(/values \(\d+\.\d%\) beyond 3 IQR/);
  expect(find('encode_rare', 'city')?.reason).toContain(`${f.rareCities} of`);
  for (const x of s.steps) expect(x.confidence).toBeGreaterThan(0), expect(x.confidence).toBeLessThanOrEqual(1);
});

test('the target, its imbalance, time order and a repeating id become run advice with the options that follow it', () => {
  const kinds = s.recommendations.map((r) => r.options);
  expect(kinds).toContainEqual({ target: 'churn' });
  expect(kinds).toContainEqual({ validation: { scheme: 'time', time_column: 'day' } });
  expect(kinds).toContainEqual({ validation: { scheme: 'group', group_column: 'customer_id' } });
  const metric = s.recommendations.find((r) => r.kind === 'metric');
  expect(metric?.message).toContain(`1:${Math.round(Math.max(...f.churn) / Math.min(...f.churn))}`);
  expect(metric?.options).toMatchObject({ metric: 'balanced_accuracy' });
});

test('the target is never proposed for dropping or filling, and the suggestions parse as they are into one pipeline', () => {
  expect(s.steps.some((x) => 'column' in x && x.column === 'churn')).toBe(false);
  const parsed = parseSteps(s.steps);
  expect(parsed.ok && parsed.steps.length).toBe(s.steps.length);
});

test('a column whose categories are all rare is not proposed for "other" (it would become one value)', () => {
  const eda = { dataset: { rows: 1000, cols: 1, duplicate_rows: 0, missing_cells: 0, type_counts: {} }, columns: [], correlations: { method: 'pearson', columns: [], matrix: [] },
    alerts: [], target_candidates: [] } as unknown as Parameters<typeof suggestSteps>[0];
  const rare = (rows: number, categories: number, rareN: number) => ({ column: 'c', categories, rare: rareN, rows, values: 1000, threshold: 0.01 });
  expect(suggestSteps(eda, { dates: [], rare: [rare(1000, 200, 200)] }).steps).toEqual([]);
  expect(suggestSteps(eda, { dates: [], rare: [rare(300, 20, 18)] }).steps).toEqual([]);
  expect(suggestSteps(eda, { dates: [], rare: [rare(40, 10, 5)] }).steps.map((x) => x.step)).toEqual(['encode_rare']);
});
