import { describe, expect, test } from 'vitest';
import { chartFor, chartKind } from '../../../analysis/nlq/chart.js';
import { interpret } from '../../../analysis/nlq/interpret.js';
import type { QueryForm } from '../../../analysis/nlq/query.js';

const q = (extra: Partial<QueryForm>): QueryForm => ({ measures: [{ fn: 'count' }], filters: [], ...extra });

describe('the chart fits the answer', () => {
  test.each([
    ['a single number', q({}), null],
    ['a row listing', q({ measures: [], limit: 5 }), null],
    ['a group', q({ group: { column: 'region' } }), 'bar'],
    ['a trend', q({ group: { column: 'order_date', bucket: 'month' } }), 'line'],
    ['a distribution', q({ group: { column: 'price', bucket: 'bins' } }), 'histogram'],
    ['a correlation', q({ measures: [{ fn: 'corr', column: 'a', column2: 'b' }] }), 'scatter'],
  ] as const)('%s: %s', (_what, form, kind) => {
    expect(chartKind(form)).toBe(kind);
    const spec = chartFor(form, [{ region: 'North', count: 3 }], 'title', [{ a: 1, b: 2 }]);
    expect(spec === null).toBe(kind === null);
    if (spec) expect(spec).toMatchObject({ $schema: expect.stringContaining('vega-lite'), title: 'title', data: { values: expect.any(Array) } });
  });

  test('a bar chart of a share shows the percent, sorted as the rows are', () => {
    const spec = chartFor(q({ group: { column: 'region' }, share: true, order: { by: 'measure', direction: 'desc' } }), [], 't') as any;
    expect(spec.encoding.y.field).toBe('percent');
    expect(spec.encoding.x.sort).toBe('-y');
  });

  test('field names with dots are escaped for vega-lite', () => {
    const spec = chartFor(q({ group: { column: 'a.b' } }), [], 't') as any;
    expect(spec.encoding.x.field).toBe('a\\.b');
  });
});

describe('the interpretation says what was answered', () => {
  test('measures, group, filters, order and limit in words', () => {
    expect(interpret({ measures: [{ fn: 'avg', column: 'Horsepower' }], filters: [{ column: 'Cylinders', op: '>', value: 4 }], group: { column: 'Origin' }, order: { by: 'measure', direction: 'desc' }, limit: 3 }))
      .toBe('Average Horsepower per Origin, for rows where Cylinders is over 4; ordered by average Horsepower, highest first; at most 3 rows.');
    expect(interpret({ measures: [{ fn: 'percent', where: [{ column: 'Origin', op: 'in', values: ['Japan', 'Europe'] }] }], filters: [] }))
      .toBe("Percent of rows where Origin is one of 'Japan', 'Europe'.");
    expect(interpret({ measures: [{ fn: 'sum', column: 'revenue' }], filters: [], group: { column: 'order_date', bucket: 'month' }, order: { by: 'group', direction: 'asc' } }))
      .toBe('Total revenue per month of order_date; ordered by month, lowest first.');
  });
});
