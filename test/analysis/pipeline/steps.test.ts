import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { queryJson, sqlString, withDuck } from '../../../analysis/duck.js';
import { applyPipeline } from '../../../analysis/pipeline/apply.js';
import { parseSteps, PipelineStep } from '../../../analysis/pipeline/steps.js';
import { checkSteps, StepProblem, type SchemaColumn } from '../../../analysis/pipeline/validate.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-'));
let n = 0;

/** Writes a small table (a DuckDB SELECT) as Parquet, runs the steps on it, and reads the result back in row order. */
async function run(select: string, columns: SchemaColumn[], steps: unknown[]) {
  const dir = path.join(tmp, String(n++));
  fs.mkdirSync(dir);
  const input = path.join(dir, 'in.parquet'), output = path.join(dir, 'out.parquet');
  await withDuck((c) => c.run(`COPY (${select}) TO ${sqlString(input)} (FORMAT parquet)`));
  const parsed = steps.map((s) => PipelineStep.parse(s));
  const result = await applyPipeline(input, output, columns, parsed);
  const rows = await withDuck((c) => queryJson(c, `SELECT * FROM read_parquet(${sqlString(output)})`));
  const types = await withDuck((c) => queryJson(c, `SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(output)}))`));
  return { ...result, rows, types: Object.fromEntries(types.map((t) => [t.name, t.type])) };
}
const col = (...pairs: [string, string][]) => pairs.map(([name, type]) => ({ name, type }));

describe('impute', () => {
  test('median of a whole-number column is rounded, so the column stays whole', async () => {
    // 1, 2, 4, 100: median 3 exactly
    const r = await run('SELECT * FROM (VALUES (1, 1), (2, 2), (3, NULL), (4, 4), (5, 100)) t(k, x)', col(['k', 'integer'], ['x', 'integer']),
      [{ step: 'impute', column: 'x', params: { strategy: 'median' } }]);
    expect(r.rows.map((x) => x.x)).toEqual([1, 2, 3, 4, 100]);
    expect(r.types.x).toBe('INTEGER');
    expect(r.effects[0]).toMatchObject({ step: 'impute', column: 'x', rows_before: 5, rows_after: 5, columns_added: [], columns_removed: [], columns_changed: ['x'], values_changed: 1 });
    expect(r.effects[0].note).toBe("Filled 1 empty cell of 'x' with the median 3.");
  });
  test('median 2.5 of a whole-number column is filled as 3 and the note says it was rounded', async () => {
    const r = await run('SELECT * FROM (VALUES (1), (2), (3), (4), (NULL), (NULL)) t(x)', col(['x', 'integer']), [{ step: 'impute', column: 'x', params: { strategy: 'median' } }]);
    expect(r.rows.map((x) => x.x)).toEqual([1, 2, 3, 4, 3, 3]);
    expect(r.effects[0].values_changed).toBe(2);
    expect(r.effects[0].note).toContain('(2.5 rounded');
  });
  test('mean of a float column, mode of a text column, and a constant', async () => {
    const r = await run("SELECT * FROM (VALUES (1.0::DOUBLE, 'a', 'p'), (NULL, 'b', NULL), (4.0, 'a', 'q'), (NULL, NULL, 'q')) t(x, s, u)",
      col(['x', 'float'], ['s', 'categorical'], ['u', 'categorical']), [
        { step: 'impute', column: 'x', params: { strategy: 'mean' } },
        { step: 'impute', column: 's', params: { strategy: 'mode' } },
        { step: 'impute', column: 'u', params: { strategy: 'constant', value: "it's unknown" } },
      ]);
    expect(r.rows).toEqual([{ x: 1, s: 'a', u: 'p' }, { x: 2.5, s: 'b', u: "it's unknown" }, { x: 4, s: 'a', u: 'q' }, { x: 2.5, s: 'a', u: 'q' }]);
    expect(r.effects.map((e) => e.values_changed)).toEqual([2, 1, 1]);
    expect(r.effects[1].note).toBe("Filled 1 empty cell of 's' with its commonest value 'a' (2 rows).");
  });
});

test('drop_column removes the column and reports it', async () => {
  const r = await run("SELECT * FROM (VALUES (1, 'x'), (2, 'x')) t(k, c)", col(['k', 'integer'], ['c', 'categorical']), [{ step: 'drop_column', column: 'c' }]);
  expect(r.rows).toEqual([{ k: 1 }, { k: 2 }]);
  expect(r.effects[0]).toMatchObject({ columns_removed: ['c'], columns_added: [], columns_changed: [], values_changed: 0, rows_after: 2 });
});

test('cap_outliers (IQR): bounds from the quartiles, rounded outwards for whole numbers, one value lowered', async () => {
  // 1..9, 100: q1 3.25, q3 7.75, IQR 4.5 → [−3.5, 14.5] → [−4, 15]
  const r = await run('SELECT * FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (100)) t(x)', col(['x', 'integer']),
    [{ step: 'cap_outliers', column: 'x', params: { method: 'iqr', k: 1.5 } }]);
  expect(r.rows.map((x) => x.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 15]);
  expect(r.effects[0]).toMatchObject({ values_changed: 1, columns_changed: ['x'] });
  expect(r.effects[0].note).toBe("Capped 'x' at [-4, 15] (the quartiles ∓ 1.5 IQR): 0 values raised, 1 lowered.");
});

test('cap_outliers (percentile) caps both tails of a float column', async () => {
  const r = await run('SELECT x::DOUBLE AS x FROM range(0, 101) t(x)', col(['x', 'float']), [{ step: 'cap_outliers', column: 'x', params: { method: 'percentile', lower: 0.1, upper: 0.9 } }]);
  const xs = r.rows.map((x) => Number(x.x));
  expect(Math.min(...xs)).toBe(10);
  expect(Math.max(...xs)).toBe(90);
  expect(r.effects[0].values_changed).toBe(20);
});

test('log_transform: the signed log, skewness before and after, zero unchanged', async () => {
  const r = await run('SELECT * FROM (VALUES (0.0), (9.0), (99.0), (-9.0)) t(x)', col(['x', 'float']), [{ step: 'log_transform', column: 'x' }]);
  expect(r.rows.map((x) => Number(x.x))).toEqual([0, Math.log(10), Math.log(100), -Math.log(10)].map((v) => expect.closeTo(v, 12)) as never);
  expect(r.effects[0].values_changed).toBe(3);
  expect(r.effects[0].note).toMatch(/^Replaced 'x' by sign\(x\)·ln\(1 \+ \|x\|\): skewness 1\.872 before, 0 after\.$/);
});

describe('parse_dates', () => {
  test('ISO dates with a stray word: the dates parse, the word becomes empty and is quoted', async () => {
    const r = await run("SELECT * FROM (VALUES ('2024-01-05'), ('2024-02-10'), ('soon'), (NULL)) t(d)", col(['d', 'categorical']), [{ step: 'parse_dates', column: 'd' }]);
    expect(r.types.d).toBe('DATE');
    expect(r.rows.map((x) => x.d)).toEqual(['2024-01-05', '2024-02-10', null, null]);
    expect(r.effects[0]).toMatchObject({ values_changed: 1, columns_changed: ['d'] });
    expect(r.effects[0].note).toContain('2 of 3 values parsed; 1 could not be read and are now empty (e.g. "soon")');
  });
  test('day-first dates are recognised from a day above 12', async () => {
    const r = await run("SELECT * FROM (VALUES ('05/01/2024'), ('13/02/2024'), ('n/a')) t(d)", col(['d', 'categorical']), [{ step: 'parse_dates', column: 'd' }]);
    expect(r.rows.map((x) => x.d)).toEqual(['2024-01-05', '2024-02-13', null]);
  });
  test('an explicit strptime form is used as given', async () => {
    const r = await run("SELECT * FROM (VALUES ('2024|03|01'), ('2024|03|02')) t(d)", col(['d', 'text']), [{ step: 'parse_dates', column: 'd', params: { format: '%Y|%m|%d' } }]);
    expect(r.rows.map((x) => String(x.d).slice(0, 10))).toEqual(['2024-03-01', '2024-03-02']);
  });
  test('a column of no dates is refused with a sentence, not a table of empties', async () => {
    await expect(run("SELECT * FROM (VALUES ('red'), ('blue')) t(d)", col(['d', 'categorical']), [{ step: 'parse_dates', column: 'd' }])).rejects.toThrow(/does not hold dates/);
  });
});

test('deduplicate keeps the first of each group of identical rows, in order', async () => {
  const r = await run("SELECT * FROM (VALUES (1, 'a'), (1, 'a'), (2, 'b'), (1, 'a'), (2, NULL), (2, NULL)) t(k, s)", col(['k', 'integer'], ['s', 'categorical']), [{ step: 'deduplicate' }]);
  expect(r.rows).toEqual([{ k: 1, s: 'a' }, { k: 2, s: 'b' }, { k: 2, s: null }]);
  expect(r.effects[0]).toMatchObject({ rows_before: 6, rows_after: 3, values_changed: 0 });
  expect(r.effects[0].note).toBe('Removed 3 rows repeating an earlier one; the first of each was kept.');
});

test('deduplicate on a subset of columns', async () => {
  const r = await run("SELECT * FROM (VALUES (1, 'a'), (1, 'b'), (2, 'c')) t(k, s)", col(['k', 'integer'], ['s', 'categorical']), [{ step: 'deduplicate', params: { subset: ['k'] } }]);
  expect(r.rows).toEqual([{ k: 1, s: 'a' }, { k: 2, s: 'c' }]);
});

test('encode_rare merges categories under the threshold into "other"', async () => {
  const r = await run("SELECT * FROM (VALUES ('a'), ('a'), ('a'), ('a'), ('a'), ('b'), ('b'), ('b'), ('c'), ('d'), (NULL)) t(s)", col(['s', 'categorical']),
    [{ step: 'encode_rare', column: 's', params: { threshold: 0.2 } }]);
  expect(r.rows.map((x) => x.s)).toEqual(['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'other', 'other', null]);
  expect(r.effects[0]).toMatchObject({ values_changed: 2, columns_changed: ['s'] });
  expect(r.effects[0].note).toBe("Merged 2 of 4 categories of 's' (each under 20% of its values; 2 rows) into 'other'.");
});

test('a user column named like SQL survives every step (quoted identifiers, escaped values)', async () => {
  const r = await run(`SELECT * FROM (VALUES (1, 'x'), (NULL, 'y'), (2, 'y')) t("a""b; drop", "select")`, col(['a"b; drop', 'integer'], ['select', 'categorical']), [
    { step: 'impute', column: 'a"b; drop', params: { strategy: 'constant', value: 7 } },
    { step: 'encode_rare', column: 'select', params: { threshold: 0.5, other: "o'ther" } },
  ]);
  expect(r.rows).toEqual([{ 'a"b; drop': 1, select: "o'ther" }, { 'a"b; drop': 7, select: 'y' }, { 'a"b; drop': 2, select: 'y' }]);
});

describe('checking steps against the columns', () => {
  const cols = col(['id', 'identifier'], ['age', 'integer'], ['city', 'categorical']);
  const check = (steps: unknown[]) => checkSteps(cols, steps.map((s) => PipelineStep.parse(s)));
  test('an unknown column is named', () => {
    expect(() => check([{ step: 'impute', column: 'agee', params: { strategy: 'median' } }])).toThrow("steps.0 (impute): unknown column 'agee'");
  });
  test('a column dropped earlier is gone for later steps, and the message says so', () => {
    expect(() => check([{ step: 'drop_column', column: 'age' }, { step: 'impute', column: 'age', params: { strategy: 'median' } }]))
      .toThrow("steps.1 (impute): unknown column 'age' (dropped by an earlier step)");
  });
  test('a step on the wrong type is refused with the type', () => {
    expect(() => check([{ step: 'log_transform', column: 'city' }])).toThrow("'city' is categorical; this step needs a numeric column");
    const err = (() => { try { check([{ step: 'impute', column: 'city', params: { strategy: 'median' } }]); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(StepProblem);
    expect(err).toMatchObject({ index: 0, column: 'city' });
  });
  test('the schema the steps leave: parsed dates are dates, logs are floats, dropped columns gone', () => {
    expect(check([{ step: 'drop_column', column: 'id' }, { step: 'log_transform', column: 'age' }])).toEqual(col(['age', 'float'], ['city', 'categorical']));
  });
});

describe('parseSteps (the API edge)', () => {
  test('an unknown step is named with the known ones', () => {
    const r = parseSteps([{ step: 'impute', column: 'a', params: { strategy: 'mode' } }, { step: 'normalise', column: 'a' }]);
    expect(r).toMatchObject({ ok: false, path: ['steps', 1, 'step'] });
    expect(!r.ok && r.message).toBe('steps.1.step: unknown step "normalise"; known steps: deduplicate, drop_column, parse_dates, impute, cap_outliers, log_transform, encode_rare');
  });
  test('bad params are named', () => {
    const r = parseSteps([{ step: 'encode_rare', column: 'a', params: { threshold: 2 } }]);
    expect(!r.ok && r.message).toMatch(/^steps\.0\.params\.threshold: .*\(step 'encode_rare'\)$/);
    const c = parseSteps([{ step: 'impute', column: 'a', params: { strategy: 'constant' } }]);
    expect(!c.ok && c.message).toBe("steps.0.params.value: strategy 'constant' needs a value (step 'impute')");
  });
  test('defaults are filled in, so the recorded steps say what ran', () => {
    const r = parseSteps([{ step: 'cap_outliers', column: 'a' }, { step: 'deduplicate' }]);
    expect(r.ok && r.steps).toEqual([{ step: 'cap_outliers', column: 'a', params: { method: 'iqr', k: 1.5, lower: 0.01, upper: 0.99 } }, { step: 'deduplicate', params: {} }]);
  });
});
