// The reader says what it ignored, reads adjectives of values and month names, and groups by two columns.
import { describe, expect, test } from 'vitest';
import { chartFor } from '../../../analysis/nlq/chart.js';
import { adjectiveOf } from '../../../analysis/nlq/columns.js';
import { compileQuery } from '../../../analysis/nlq/compile.js';
import { NlqError } from '../../../analysis/nlq/errors.js';
import { subjectWords, withIgnored } from '../../../analysis/nlq/ignored.js';
import { interpret } from '../../../analysis/nlq/interpret.js';
import { readQuestion, readQuestionNoted } from '../../../analysis/nlq/parse.js';
import type { NlqColumn, QueryForm } from '../../../analysis/nlq/query.js';
import { resolveQuery } from '../../../analysis/nlq/resolve.js';
import { CARS, SALES } from './fixtures.js';

/** Reads, validates and compiles, as the API does; returns the form, ignored words, SQL and interpretation. */
function read(question: string, cols: NlqColumn[], subject: string[] = []) {
  const { query, ignored } = readQuestionNoted(question, cols, subject);
  expect(resolveQuery(query, cols)).toEqual(query);
  const compiled = compileQuery(query, cols);
  return { query, ignored, ...compiled, interpretation: withIgnored(interpret(query), query, ignored) };
}

describe('ignored words are said, not dropped', () => {
  test('a word that names nothing is ignored, and an answer over all rows says so', () => {
    const r = read('average weight of american cars', CARS, ['cars']);
    expect(r.query).toEqual({ measures: [{ fn: 'avg', column: 'Weight_in_lbs' }], filters: [] });
    expect(r.ignored).toEqual(['american']);
    expect(r.interpretation).toBe("Average Weight_in_lbs; ignoring: 'american' (not understood, so it filtered nothing: this answer is over all rows).");
  });

  test('without the dataset\'s name the row noun is ignored too; with a filter there is no over-all-rows warning', () => {
    const r = read('average weight of japanese cars', CARS);
    expect(r.query.filters).toEqual([{ column: 'Origin', op: '=', value: 'Japan' }]);
    expect(r.ignored).toEqual(['cars']);
    expect(r.interpretation).toBe("Average Weight_in_lbs, for rows where Origin is 'Japan'; ignoring: 'cars'.");
  });

  test.each([
    ['how many cars have more than 6 cylinders', CARS], ['average horsepower by origin', CARS], ['top 3 origins by average horsepower', CARS],
    ['which origin has the highest average mpg', CARS], ['show cars with horsepower over 200 sorted by weight desc', CARS],
    ['how many cars were made after 1980', CARS], ['horsepower trend over time', CARS], ['correlation between horsepower and weight', CARS],
    ['total units sold per product in the east', SALES], ['what share of orders were returned', SALES], ['revenue between 2024-03-01 and 2024-06-30', SALES],
    ['how many missing values in unit price', SALES], ['weekly revenue for the north region', SALES], ['revenue in march', SALES],
  ] as const)('a phrasing the reader knows ignores nothing: %s', (question, cols) => {
    expect(read(question, cols as NlqColumn[], ['cars', 'orders']).ignored).toEqual([]);
  });

  test('the dataset\'s name gives the words for its rows', () => {
    expect(subjectWords('cars.json')).toEqual(['cars']);
    expect(subjectWords('Orders_2024.csv')).toEqual(['orders']);
  });

  test('words with digits count ("q1"), and "last" is never a typo of a value ("East")', () => {
    expect(read('total revenue in q1', SALES).ignored).toEqual(['q1']);
    const r = read('total revenue last year', SALES);
    expect(r.query.filters).toEqual([]);
    expect(r.ignored).toEqual(['last year']);
    expect(r.interpretation).toBe("Total revenue; ignoring: 'last year' (not understood, so it filtered nothing: this answer is over all rows).");
    expect(read('total revenue for the past 3 months', SALES)).toMatchObject({ query: { filters: [] }, ignored: ['past 3 months'] });
  });

  test('several unknown words are each named once', () => {
    const r = read('average horsepower of shiny shiny cars', CARS, ['cars']);
    expect(r.ignored).toEqual(['shiny']);
    expect(r.interpretation).toMatch(/ignoring: 'shiny' \(not understood.*over all rows\)\.$/);
  });
});

describe('adjectives of a column\'s values are filters, judged from the values\' spelling only', () => {
  test.each([
    ['japanese', ['japan'], true], ['european', ['europe'], true], ['italian', ['italy'], true], ['chinese', ['china'], true],
    ['american', ['usa'], false], ['american', ['united', 'states', 'of', 'america'], true], ['northern', ['north'], true], ['canadian', ['canada'], true],
    ['spanish', ['spain'], false], ['median', ['medium'], true],
  ] as const)('%s names %j: %s', (word, value, yes) => {
    expect(adjectiveOf(word, [...value])).toBe(yes);
  });

  test('european and northern filter; american does not for USA, does for America', () => {
    expect(read('average mpg of european cars', CARS).query.filters).toEqual([{ column: 'Origin', op: '=', value: 'Europe' }]);
    expect(read('total revenue in the northern region', SALES).query.filters).toEqual([{ column: 'region', op: '=', value: 'North' }]);
    const withAmerica = CARS.map((c) => (c.name === 'Origin' ? { ...c, categories: ['America', 'Japan', 'Europe'] } : c));
    expect(read('average weight of american cars', withAmerica).query.filters).toEqual([{ column: 'Origin', op: '=', value: 'America' }]);
  });

  test('a reserved word of the reader is never read as an adjective ("median" is not "Medium")', () => {
    const sizes: NlqColumn[] = [{ name: 'size', type: 'categorical', categories: ['Small', 'Medium', 'Large'] }, { name: 'price', type: 'float' }];
    expect(read('median price', sizes).query).toEqual({ measures: [{ fn: 'median', column: 'price' }], filters: [] });
  });

  test('a value of another column is not this column\'s ("weight of japanese" is not weight = Japan)', () => {
    expect(read('average weight of japan cars', CARS).query).toEqual({ measures: [{ fn: 'avg', column: 'Weight_in_lbs' }], filters: [{ column: 'Origin', op: '=', value: 'Japan' }] });
  });
});

describe('month names on the date column', () => {
  const month = (value: number) => ({ column: 'order_date', op: '=', value, part: 'month' });
  test.each([
    ['revenue in march', [month(3)], /WHERE month\("order_date"\) = \$1/, [3], 'the month of order_date is March'],
    ['revenue in march 2024', [{ column: 'order_date', op: 'between', value: '2024-03-01', value2: '2024-03-31' }], /CAST\("order_date" AS DATE\) BETWEEN CAST\(\$1 AS DATE\) AND CAST\(\$2 AS DATE\)/, ['2024-03-01', '2024-03-31'], "order_date is between '2024-03-01' and '2024-03-31'"],
    ['total revenue between january and june', [{ column: 'order_date', op: 'between', value: 1, value2: 6, part: 'month' }], /month\("order_date"\) BETWEEN \$1 AND \$2/, [1, 6], 'the month of order_date is January to June'],
    ['units between november and february', [{ column: 'order_date', op: 'between', value: 11, value2: 2, part: 'month' }], /\(month\("order_date"\) >= \$1 OR month\("order_date"\) <= \$2\)/, [11, 2], 'November to February'],
    ['revenue from february 2024 to april 2024', [{ column: 'order_date', op: 'between', value: '2024-02-01', value2: '2024-04-30' }], /BETWEEN/, ['2024-02-01', '2024-04-30'], "between '2024-02-01' and '2024-04-30'"],
    ['revenue by product in march or april', [{ column: 'order_date', op: 'in', values: [3, 4], part: 'month' }], /month\("order_date"\) IN \(\$1, \$2\)/, [3, 4], 'one of March, April'],
    ['how many orders in february 2024 for the north region', [{ column: 'order_date', op: 'between', value: '2024-02-01', value2: '2024-02-29' }, { column: 'region', op: '=', value: 'North' }], /BETWEEN/, ['2024-02-01', '2024-02-29', 'North'], "region is 'North'"],
  ] as const)('%s', (question, filters, sql, params, words) => {
    const r = read(question, SALES, ['orders']);
    expect(r.query.filters).toEqual(filters);
    expect(r.sql).toMatch(sql);
    expect(r.params).toEqual(params);
    expect(r.interpretation).toContain(words);
    expect(r.ignored).toEqual([]);
  });

  test('a month filter is checked like any other: months 1–12, on a date column', () => {
    const bad = (q: unknown) => { try { resolveQuery(q, SALES); } catch (e) { return (e as NlqError).message; } return 'accepted'; };
    expect(bad({ measures: [{ fn: 'count' }], filters: [{ column: 'order_date', op: '=', value: 13, part: 'month' }] })).toMatch(/months as numbers from 1 to 12/);
    expect(bad({ measures: [{ fn: 'count' }], filters: [{ column: 'units', op: '=', value: 3, part: 'month' }] })).toMatch(/only dates compare by month/);
  });
});

describe('two group columns: both, or a refusal that says so', () => {
  test('by region and product: one row per pair, a bar chart coloured by the second', () => {
    const r = read('total revenue by region and product', SALES);
    expect(r.query).toEqual({ measures: [{ fn: 'sum', column: 'revenue' }], filters: [], group: { column: 'region', and: 'product' }, order: { by: 'measure', direction: 'desc' } });
    expect(r.sql).toMatch(/^SELECT "region" AS "region", "product" AS "product", sum\(.*GROUP BY 1, 2 ORDER BY "sum_revenue" DESC NULLS LAST, 1 ASC, 2 ASC LIMIT 1000$/);
    expect(r.interpretation).toBe('Total revenue per region and product; ordered by total revenue, highest first.');
    const chart = chartFor(r.query, [], 't') as any;
    expect(chart.mark).toBe('bar');
    expect(chart.encoding).toMatchObject({ x: { field: 'region' }, y: { field: 'sum_revenue' }, color: { field: 'product' }, xOffset: { field: 'product' } });
  });

  test.each([
    ['revenue by region and month', 'region'], ['average units by month and region', 'region'], ['revenue by order date and product', 'product'],
  ])('a period and a category: one line per value (%s)', (question, and) => {
    const r = read(question, SALES);
    expect(r.query.group).toEqual({ column: 'order_date', bucket: 'month', and });
    expect(r.sql).toMatch(/date_trunc\('month', "order_date"\).*GROUP BY 1, 2 ORDER BY 1 ASC NULLS LAST, 2 ASC/);
    expect(chartFor(r.query, [], 't')).toMatchObject({ mark: { type: 'line' }, encoding: { color: { field: and } } });
  });

  test('a whole-number column groups too; "per order by region" is not two groups', () => {
    expect(read('average horsepower by origin and cylinders', CARS).query.group).toEqual({ column: 'Origin', and: 'Cylinders' });
    expect(read('average revenue per order by region', SALES).query.group?.and).toBeUndefined();
  });

  test('top k of pairs, and shares of pairs', () => {
    expect(read('top 3 regions and products by revenue', SALES).query).toMatchObject({ group: { column: 'region', and: 'product' }, limit: 3 });
    const share = read('share of revenue by region and product', SALES);
    expect(share.query).toMatchObject({ share: true, group: { column: 'region', and: 'product' } });
    expect(share.interpretation).toContain("each pair's share of the total");
  });

  test('a reading with no room for a second column is refused, naming both', () => {
    let err: unknown;
    try { readQuestion('distribution of units by region and product', SALES); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NlqError);
    expect((err as NlqError).message).toMatch(/groups by two columns \('region' and 'product'\)/);
    expect((err as NlqError).details).toMatchObject({ group_columns: ['region', 'product'], try: expect.any(Array) });
  });

  test('a second group column must be another category', () => {
    const form = (and: string): QueryForm => ({ measures: [{ fn: 'count' }], filters: [], group: { column: 'region', and } });
    expect(() => resolveQuery(form('revenue'), SALES)).toThrow(/a second group column must hold categories or whole numbers/);
    expect(() => resolveQuery(form('order_date'), SALES)).toThrow(/a date column goes first/);
    expect(resolveQuery(form('units'), SALES)).toEqual(form('units'));
    expect(() => resolveQuery(form('region'), SALES)).toThrow(/grouped by once/);
    expect(resolveQuery(form('product'), SALES)).toEqual(form('product'));
  });
});
