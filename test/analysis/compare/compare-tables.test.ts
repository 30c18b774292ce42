import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { compareKind, compareTables, isDrifted, schemaChanges, type CompareSide } from '../../../analysis/compare/compare-tables.js';
import type { TableComparison } from '../../../analysis/compare/types.js';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { seededRandom } from '../../../analysis/ml/random.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-'));

async function side(name: string, csv: string): Promise<CompareSide> {
  const file = path.join(tmp, `${name}.csv`);
  fs.writeFileSync(file, csv);
  const parquetPath = path.join(tmp, `${name}.parquet`);
  const manifest = await readTable({ inputPath: file, format: 'csv', parquetOut: parquetPath });
  return { parquetPath, manifest };
}

/** A table of `rows` rows: a normal number, a three-way category, a stable number, a constant, a date. */
function table(rows: number, seed: number, o: { shift?: number; mix?: number[]; days?: number } = {}): string {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const mix = o.mix ?? [0.5, 0.3, 0.2];
  const pick = () => { const u = rand(); return u < mix[0] ? 'red' : u < mix[0] + mix[1] ? 'green' : 'blue'; };
  const lines = ['amount,colour,stable,constant,day'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(rand() * 100 + (o.days ?? 0)) * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${(10 + 2 * (gauss() + (o.shift ?? 0))).toFixed(3)},${pick()},${gauss().toFixed(3)},7,${day}`);
  }
  return lines.join('\n') + '\n';
}

describe('compareTables', () => {
  let same: TableComparison;
  let drift: TableComparison;
  beforeAll(async () => {
    const a = await side('a', table(5000, 1));
    const a2 = await side('a2', table(5000, 2)); // same distributions, other draws
    const b = await side('b', table(4000, 3, { shift: 0.5, mix: [0.2, 0.3, 0.5], days: 30 }));
    same = await compareTables(a, a2);
    drift = await compareTables(a, b);
  });

  test('two draws of the same distributions: nothing drifted, every PSI small', () => {
    expect(same.summary.drifted).toBe(0);
    expect(same.columns.map((c) => c.name)).toEqual(['amount', 'colour', 'stable', 'constant', 'day']);
    for (const c of same.columns) expect(c.psi).toBeLessThan(0.02);
    expect(same.schema_changes).toEqual({ added: [], removed: [], type_changed: [] });
  });

  test('a shifted number, a re-mixed category and later dates are drifted; the stable and constant columns are not', () => {
    const by = Object.fromEntries(drift.columns.map((c) => [c.name, c]));
    expect(drift.summary.drifted_columns.sort()).toEqual(['amount', 'colour', 'day']);
    expect(by.amount).toMatchObject({ test: 'ks', kind: 'numeric', drifted: true });
    expect(by.amount.statistic).toBeGreaterThan(0.15);
    expect(by.amount.p_value).toBeLessThan(1e-10);
    expect(by.amount.mean_b! - by.amount.mean_a!).toBeCloseTo(1, 0);
    expect(by.colour).toMatchObject({ test: 'chi_square', kind: 'categorical', dof: 2, drifted: true });
    expect(by.colour.psi).toBeGreaterThan(0.2);
    expect(by.day).toMatchObject({ kind: 'datetime', test: 'ks', drifted: true, mean_a: null });
    expect(by.stable.drifted).toBe(false);
    expect(by.constant).toMatchObject({ psi: 0, statistic: 0, p_value: 1, drifted: false, distinct_a: 1 });
    expect(by.constant.bins.map((b) => b.label)).toEqual(['≤ 7', '> 7', 'missing']);
    expect(by.amount.bins).toHaveLength(11);
    expect(by.amount.bins.slice(0, 10).every((b) => Math.abs(b.pct_a - 10) < 0.5)).toBe(true); // A's deciles
    expect(drift.rule.text).toMatch(/p < 0\.05/);
  });

  test('the KS statistic is exact (ties grouped): equals scipy ks_2samp on the same values', async () => {
    const xa = Array.from({ length: 300 }, (_, i) => ((i * 37) % 101) / 10);
    const xb = Array.from({ length: 250 }, (_, i) => ((i * 53) % 97) / 10 + 0.8);
    const r = await compareTables(await side('ka', `x\n${xa.join('\n')}\n`), await side('kb', `x\n${xb.join('\n')}\n`));
    expect(r.columns[0].statistic).toBeCloseTo(0.084, 12); // scipy: 0.08399999999999999, p(asymp) 0.2768
    expect(r.columns[0].p_value).toBeCloseTo(0.2768, 2);
    expect(r.columns[0].drifted).toBe(false);
  });

  test('missing shares, distinct counts, and schema changes: added, removed, retyped (compared as text)', async () => {
    const a = await side('sa', 'id,kept,gone,n\n1,x,1,1\n2,y,2,2\n3,,3,3\n4,x,4,4\n');
    const b = await side('sb', 'id,kept,n,new\n1,x,a,1\n2,,b,2\n3,,c,3\n4,x,d,4\n');
    const r = await compareTables(a, b);
    expect(r.schema_changes).toEqual({
      added: [{ name: 'new', type: 'integer' }], removed: [{ name: 'gone', type: 'integer' }],
      type_changed: [{ name: 'n', type_a: 'integer', type_b: expect.not.stringMatching(/integer/) }],
    });
    const kept = r.columns.find((c) => c.name === 'kept')!;
    expect(kept).toMatchObject({ missing_pct_a: 25, missing_pct_b: 50, distinct_a: 2, distinct_b: 1 });
    expect(r.columns.find((c) => c.name === 'n')!.kind).toBe('categorical');
  });

  test('a column with no values in B is decided by PSI alone', async () => {
    const r = await compareTables(await side('ea', 'v,k\n1,a\n2,a\n3,a\n'), await side('eb', 'v,k\n,a\n,a\n,a\n'));
    const v = r.columns.find((c) => c.name === 'v')!;
    expect(v.p_value).toBeNull();
    expect(v.drifted).toBe(true);
    expect(v.missing_pct_b).toBe(100);
  });

  test('rule and kinds', () => {
    expect(compareKind('integer', 'float')).toBe('numeric');
    expect(compareKind('datetime', 'text')).toBe('categorical');
    expect(isDrifted({ psi: 0.05, p_value: 1e-30, effect: 0.02 })).toBe(false); // significant but tiny: a million rows' noise
    expect(isDrifted({ psi: 0.5, p_value: 0.2, effect: 0.4 })).toBe(false); // large but not significant: too few rows
    expect(isDrifted({ psi: 0.05, p_value: 0.01, effect: 0.12 })).toBe(true);
    expect(schemaChanges([], [])).toEqual({ added: [], removed: [], type_changed: [] });
  });
});
