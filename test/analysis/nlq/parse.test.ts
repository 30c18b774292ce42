import { describe, expect, test } from 'vitest';
import { compileQuery } from '../../../analysis/nlq/compile.js';
import { NlqError } from '../../../analysis/nlq/errors.js';
import { readQuestion } from '../../../analysis/nlq/parse.js';
import type { NlqColumn, QueryForm } from '../../../analysis/nlq/query.js';
import { resolveQuery } from '../../../analysis/nlq/resolve.js';
import { suggestQuestions } from '../../../analysis/nlq/suggest.js';
import { CARS, SALES } from './fixtures.js';

type Case = [question: string, table: 'cars' | 'sales', expected: QueryForm];
const TABLES: Record<string, NlqColumn[]> = { cars: CARS, sales: SALES };
const byDesc = { by: 'measure', direction: 'desc' } as const;
const byTime = { by: 'group', direction: 'asc' } as const;

// One family per block: what the reader must produce for each phrasing.
const FAMILIES: Record<string, Case[]> = {
  'counts and rows': [
    ['how many rows are there', 'cars', { measures: [{ fn: 'count' }], filters: [] }],
    ['how many cars have more than 6 cylinders', 'cars', { measures: [{ fn: 'count' }], filters: [{ column: 'Cylinders', op: '>', value: 6 }] }],
    ['how many different origins', 'cars', { measures: [{ fn: 'count_distinct', column: 'Origin' }], filters: [] }],
    ['how many orders were returned', 'sales', { measures: [{ fn: 'count' }], filters: [{ column: 'returned', op: '=', value: true }] }],
  ],
  aggregates: [
    ['average horsepower', 'cars', { measures: [{ fn: 'avg', column: 'Horsepower' }], filters: [] }],
    ['what is the mean mpg', 'cars', { measures: [{ fn: 'avg', column: 'Miles_per_Gallon' }], filters: [] }],
    ['max horsepower', 'cars', { measures: [{ fn: 'max', column: 'Horsepower' }], filters: [] }],
    ['median unit price', 'sales', { measures: [{ fn: 'median', column: 'unit_price' }], filters: [] }],
    ['standard deviation of revenue', 'sales', { measures: [{ fn: 'stddev', column: 'revenue' }], filters: [] }],
    ['sum of "Cylinders" for cars from europe', 'cars', { measures: [{ fn: 'sum', column: 'Cylinders' }], filters: [{ column: 'Origin', op: '=', value: 'Europe' }] }],
    ['revenue for the north region', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [{ column: 'region', op: '=', value: 'North' }] }],
  ],
  'group by': [
    ['average horsepower by origin', 'cars', { measures: [{ fn: 'avg', column: 'Horsepower' }], filters: [], group: { column: 'Origin' }, order: byDesc }],
    ['total revenue per region', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [], group: { column: 'region' }, order: byDesc }],
    ['Average Horse Power by Orgin', 'cars', { measures: [{ fn: 'avg', column: 'Horsepower' }], filters: [], group: { column: 'Origin' }, order: byDesc }],
    ['total revenues by regions', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [], group: { column: 'region' }, order: byDesc }],
    ['total units sold per product in the east', 'sales', { measures: [{ fn: 'sum', column: 'units' }], filters: [{ column: 'region', op: '=', value: 'East' }], group: { column: 'product' }, order: byDesc }],
  ],
  'top k': [
    ['top 3 origins by average horsepower', 'cars', { measures: [{ fn: 'avg', column: 'Horsepower' }], filters: [], group: { column: 'Origin' }, order: byDesc, limit: 3 }],
    ['which origin has the highest average mpg', 'cars', { measures: [{ fn: 'avg', column: 'Miles_per_Gallon' }], filters: [], group: { column: 'Origin' }, order: byDesc, limit: 1 }],
    ['top 5 customer names by revenue', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [], group: { column: 'customer_name' }, order: byDesc, limit: 5 }],
    ['bottom 2 origins by count', 'cars', { measures: [{ fn: 'count' }], filters: [], group: { column: 'Origin' }, order: { by: 'measure', direction: 'asc' }, limit: 2 }],
    ['the 3 origins with the lowest average weight', 'cars', { measures: [{ fn: 'avg', column: 'Weight_in_lbs' }], filters: [], group: { column: 'Origin' }, order: { by: 'measure', direction: 'asc' }, limit: 3 }],
    ['the 5 cars with the highest horsepower', 'cars', { measures: [], filters: [], order: { by: 'Horsepower', direction: 'desc' }, limit: 5 }],
    ['most common origin', 'cars', { measures: [{ fn: 'count' }], filters: [], group: { column: 'Origin' }, order: byDesc, limit: 10 }],
  ],
  filters: [
    ['average weight for cars from Japan', 'cars', { measures: [{ fn: 'avg', column: 'Weight_in_lbs' }], filters: [{ column: 'Origin', op: '=', value: 'Japan' }] }],
    ['average horsepower where cylinders = 8', 'cars', { measures: [{ fn: 'avg', column: 'Horsepower' }], filters: [{ column: 'Cylinders', op: '=', value: 8 }] }],
    ['count of cars with horsepower between 100 and 150', 'cars', { measures: [{ fn: 'count' }], filters: [{ column: 'Horsepower', op: 'between', value: 100, value2: 150 }] }],
    ["cars whose name contains 'ford'", 'cars', { measures: [{ fn: 'count' }], filters: [{ column: 'Name', op: 'contains', value: 'ford' }] }],
    ['average mpg for japan or europe', 'cars', { measures: [{ fn: 'avg', column: 'Miles_per_Gallon' }], filters: [{ column: 'Origin', op: 'in', values: ['Japan', 'Europe'] }] }],
    ['average weight_in_lbs where origin is not usa', 'cars', { measures: [{ fn: 'avg', column: 'Weight_in_lbs' }], filters: [{ column: 'Origin', op: '!=', value: 'USA' }] }],
    ['how many cars were made after 1980', 'cars', { measures: [{ fn: 'count' }], filters: [{ column: 'Year', op: '>', value: 1980 }] }],
    ['mean acceleration of 4 cylinder cars', 'cars', { measures: [{ fn: 'avg', column: 'Acceleration' }], filters: [{ column: 'Cylinders', op: '=', value: 4 }] }],
    ['revenue between 2024-03-01 and 2024-06-30', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [{ column: 'order_date', op: 'between', value: '2024-03-01', value2: '2024-06-30' }] }],
    ['revenue by product excluding gizmo', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [{ column: 'product', op: '!=', value: 'Gizmo' }], group: { column: 'product' }, order: byDesc }],
    ['show cars with horsepower over 200 sorted by weight desc', 'cars', { measures: [], filters: [{ column: 'Horsepower', op: '>', value: 200 }], order: { by: 'Weight_in_lbs', direction: 'desc' }, limit: 100 }],
    ['list name and horsepower where origin is europe', 'cars', { measures: [], columns: ['Name', 'Horsepower'], filters: [{ column: 'Origin', op: '=', value: 'Europe' }], limit: 100 }],
  ],
  share: [
    ['share of revenue by region', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [], share: true, group: { column: 'region' }, order: byDesc }],
    ['percentage of rows per product', 'sales', { measures: [{ fn: 'count' }], filters: [], share: true, group: { column: 'product' }, order: byDesc }],
    ['what percent of cars are from Japan', 'cars', { measures: [{ fn: 'percent', where: [{ column: 'Origin', op: '=', value: 'Japan' }] }], filters: [] }],
    ['what share of orders were returned', 'sales', { measures: [{ fn: 'percent', where: [{ column: 'returned', op: '=', value: true }] }], filters: [] }],
  ],
  'trend over time': [
    ['revenue by month', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [], group: { column: 'order_date', bucket: 'month' }, order: byTime }],
    ['monthly units', 'sales', { measures: [{ fn: 'sum', column: 'units' }], filters: [], group: { column: 'order_date', bucket: 'month' }, order: byTime }],
    ['average mpg over the years', 'cars', { measures: [{ fn: 'avg', column: 'Miles_per_Gallon' }], filters: [], group: { column: 'Year', bucket: 'year' }, order: byTime }],
    ['number of cars per year', 'cars', { measures: [{ fn: 'count' }], filters: [], group: { column: 'Year', bucket: 'year' }, order: byTime }],
    ['horsepower trend over time', 'cars', { measures: [{ fn: 'avg', column: 'Horsepower' }], filters: [], group: { column: 'Year', bucket: 'year' }, order: byTime }],
    ['weekly revenue for the north region', 'sales', { measures: [{ fn: 'sum', column: 'revenue' }], filters: [{ column: 'region', op: '=', value: 'North' }], group: { column: 'order_date', bucket: 'week' }, order: byTime }],
  ],
  correlation: [
    ['correlation between horsepower and weight', 'cars', { measures: [{ fn: 'corr', column: 'Horsepower', column2: 'Weight_in_lbs' }], filters: [] }],
    ['how does weight relate to acceleration', 'cars', { measures: [{ fn: 'corr', column: 'Weight_in_lbs', column2: 'Acceleration' }], filters: [] }],
    ['horsepower vs weight', 'cars', { measures: [{ fn: 'corr', column: 'Horsepower', column2: 'Weight_in_lbs' }], filters: [] }],
  ],
  distribution: [
    ['distribution of horsepower', 'cars', { measures: [{ fn: 'count' }], filters: [], group: { column: 'Horsepower', bucket: 'bins', bins: 20 }, order: byTime }],
    ['histogram of weight in 10 bins', 'cars', { measures: [{ fn: 'count' }], filters: [], group: { column: 'Weight_in_lbs', bucket: 'bins', bins: 10 }, order: byTime }],
    ['distribution of origin', 'cars', { measures: [{ fn: 'count' }], filters: [], group: { column: 'Origin' }, order: byDesc, limit: 50 }],
  ],
  missing: [
    ['how many missing values in horsepower', 'cars', { measures: [{ fn: 'missing', column: 'Horsepower' }], filters: [] }],
    ['how many rows have a missing unit price', 'sales', { measures: [{ fn: 'missing', column: 'unit_price' }], filters: [] }],
    ['what percent of unit price is missing', 'sales', { measures: [{ fn: 'percent', where: [{ column: 'unit_price', op: 'is_missing' }] }], filters: [] }],
    ['how many missing values', 'sales', { measures: SALES.map((c) => ({ fn: 'missing' as const, column: c.name })), filters: [] }],
  ],
};

describe.each(Object.entries(FAMILIES))('the reader: %s', (_family, cases) => {
  test.each(cases)('%s', (question, table, expected) => {
    const q = readQuestion(question, TABLES[table]);
    expect(q).toEqual(expected);
    // Whatever the reader produces is a valid query form for the table, and compiles.
    expect(resolveQuery(q, TABLES[table])).toEqual(q);
    expect(compileQuery(q, TABLES[table]).sql).toMatch(/^(WITH|SELECT) /);
  });
});

describe('what the reader cannot read', () => {
  const refusal = (question: string, cols: NlqColumn[] = CARS): NlqError => {
    try { readQuestion(question, cols); } catch (err) { if (err instanceof NlqError) return err; throw err; }
    throw new Error(`'${question}' was read`);
  };

  test('an unknown column is refused, naming the near matches', () => {
    const e = refusal('average horsepowr by regn', SALES.concat(CARS));
    expect(e.kind).toBe('unknown_column');
    expect(e.details.column).toBe('regn');
    expect(e.details.near![0]).toBe('region');
    const salary = refusal('average salry', [...CARS, { name: 'salary', type: 'float' }, { name: 'sales', type: 'float' }].filter((c) => c.name !== 'salary'));
    expect(salary.details).toMatchObject({ column: 'salry', near: expect.arrayContaining(['sales']) });
  });

  test('nonsense is refused with three phrasings that use the real columns, each of which the reader reads', () => {
    for (const cols of [CARS, SALES]) {
      const e = refusal('what is the meaning of life', cols);
      expect(e.kind).toBe('unreadable');
      expect(e.details.try).toHaveLength(3);
      for (const phrasing of e.details.try!) {
        expect(cols.some((c) => phrasing.includes(c.name))).toBe(true);
        expect(() => resolveQuery(readQuestion(phrasing, cols), cols)).not.toThrow();
      }
    }
  });

  test('a trend over a table without dates is refused, saying so', () => {
    const e = refusal('revenue by month', SALES.filter((c) => c.name !== 'order_date'));
    expect(e.kind).toBe('unreadable');
    expect(e.message).toMatch(/no date column/);
  });

  test('suggestions work for tables with only numbers or only categories', () => {
    for (const cols of [[{ name: 'a', type: 'float' }, { name: 'b', type: 'integer' }], [{ name: 'colour', type: 'categorical', categories: ['red'] }]] as NlqColumn[][]) {
      const tries = suggestQuestions(cols);
      expect(tries).toHaveLength(3);
      for (const p of tries) expect(() => resolveQuery(readQuestion(p, cols), cols)).not.toThrow();
    }
  });
});

describe('the query form is validated before it runs', () => {
  test('a model cannot smuggle SQL: unknown keys, unknown columns and ill-typed uses are refused', () => {
    expect(() => resolveQuery({ measures: [], filters: [], sql: 'DROP TABLE x' }, CARS)).toThrow(/not valid/);
    expect(() => resolveQuery({ measures: [{ fn: 'avg', column: 'Horsepowerr' }], filters: [] }, CARS)).toThrow(/No column is called 'Horsepowerr'.*'Horsepower'/);
    expect(() => resolveQuery({ measures: [{ fn: 'avg', column: 'Origin' }], filters: [] }, CARS)).toThrow(/needs numbers/);
    expect(() => resolveQuery({ measures: [{ fn: 'count' }], filters: [], group: { column: 'Origin', bucket: 'month' } }, CARS)).toThrow(/only dates/);
    expect(() => resolveQuery({ measures: [{ fn: 'count' }], filters: [{ column: 'Origin', op: '>', value: 3 }] }, CARS)).toThrow(/only numbers and dates/);
  });

  test('values are bound as parameters, never written into the SQL text', () => {
    const hostile = "x'); DROP TABLE data; --";
    const { sql, params } = compileQuery({ measures: [{ fn: 'count' }], filters: [{ column: 'Origin', op: '=', value: hostile }, { column: 'Name', op: 'contains', value: '50%_off' }] }, CARS);
    expect(sql).not.toContain('DROP');
    expect(sql).toContain('lower($1)');
    expect(params).toEqual([hostile, '%50\\%\\_off%']);
  });

  test('identifiers are quoted, so odd column names stay names', () => {
    const cols: NlqColumn[] = [{ name: 'we"ird col', type: 'float' }];
    expect(compileQuery({ measures: [{ fn: 'sum', column: 'we"ird col' }], filters: [] }, cols).sql).toContain('"we""ird col"');
  });
});
