import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DataError } from '../../../analysis/errors.js';
import { checkArtifacts, OVERFIT_GAP } from '../../../analysis/qa/check-artifacts.js';
import { REPORT_MAX_BYTES } from '../../../analysis/qa/check-report.js';
import { activityEnv, runStages, type ActivityEnv } from '../../helpers/activity-env.js';
import { VEGA } from '../../helpers/client.js';

// Real artifacts of one penguins run (profile, models, report, result draft), then tampered with one at a time.
let env: ActivityEnv;
let edaJson: string, modelingJson: string, reportHtml: string, resultJson: string;
let modeling: Record<string, any>;
beforeAll(async () => {
  env = await activityEnv();
  const run = await runStages(env, VEGA('penguins.json'), 'json', { target: 'Species' });
  const text = async (k: string) => (await env.deps.storage.get(k)).toString('utf8');
  edaJson = await text(run.keys.eda_key);
  modelingJson = await text(run.keys.modeling_key!);
  reportHtml = run.html;
  modeling = JSON.parse(modelingJson);
  resultJson = JSON.stringify({
    run_id: run.runId, status: 'completed', dataset: { rows: 344, cols: 7 }, eda: { summary: {}, alerts: [] },
    modeling: { task: modeling.task, target: modeling.target, metric: modeling.metric, leaderboard: modeling.leaderboard.map(({ model, cv_mean, cv_std }: any) => ({ model, cv_mean, cv_std })), best_model_id: 'm' },
    report_html: reportHtml, report_id: 'r', timings: {}, warnings: [], error: null, artifacts: [],
  });
}, 120_000);
afterAll(async () => { await env.close(); });

const check = (over: { eda?: string; modeling?: unknown; report?: string; result?: unknown; rows?: number } = {}) => checkArtifacts({
  manifestRows: over.rows ?? 344, edaJson: over.eda ?? edaJson,
  modelingJson: over.modeling === undefined ? modelingJson : over.modeling === null ? null : JSON.stringify(over.modeling),
  reportHtml: over.report ?? reportHtml, resultJson: over.result === undefined ? resultJson : over.result === null ? null : JSON.stringify(over.result),
});
const checksOf = (c: ReturnType<typeof check>, severity: 'error' | 'warning') => c.findings.filter((f) => f.severity === severity).map((f) => f.check);
const corrupt = (fn: () => unknown, why: RegExp) => {
  const err = (() => { try { fn(); } catch (e) { return e; } return null; })();
  expect(err).toBeInstanceOf(DataError);
  expect((err as DataError).code).toBe('CORRUPT_ARTIFACT');
  expect((err as DataError).message).toMatch(why);
};

test('the artifacts of a real run pass with no findings', () => {
  expect(check()).toEqual({ version: 1, ok: true, findings: [] });
});

describe('schemas: a corrupt artifact fails the job non-retryably, with the reason', () => {
  test.each([
    ['eda.json that is not JSON', { eda: '{"version":1,' }, /eda.json is not valid JSON/],
    ['NaN written into eda.json', { eda: edaJsonWith('"mean":NaN') }, /eda.json contains NaN, which JSON cannot hold/],
    ['a wrong eda.json version', { eda: '' }, /eda.json does not match its schema at version/],
    ['rows that disagree with ingest', { rows: 999 }, /counts 344 rows but ingest read 999/],
    ['an empty leaderboard', { modeling: 'empty' }, /modeling.json does not match its schema at leaderboard/],
    ['a result.json without its status', { result: 'no-status' }, /result.json does not match its schema at status/],
  ])('%s', (_name, over, why) => {
    const o: Record<string, unknown> = { ...over };
    if (o.eda === '') o.eda = JSON.stringify({ ...JSON.parse(edaJson), version: 2 });
    if (typeof o.eda === 'function') o.eda = (o.eda as () => string)();
    if (o.modeling === 'empty') o.modeling = { ...modeling, leaderboard: [] };
    if (o.result === 'no-status') { const r = JSON.parse(resultJson); delete r.status; o.result = r; }
    corrupt(() => check(o as never), why);
  });
});
function edaJsonWith(fragment: string) { return () => edaJson.replace(/"mean":[^,]+/, fragment); }

describe('numbers that disagree are errors', () => {
  test('an unordered leaderboard, a cv_mean that is not the mean of its folds, an importance of no feature', () => {
    expect(checksOf(check({ modeling: { ...modeling, leaderboard: [...modeling.leaderboard].reverse() } }), 'error')).toContain('leaderboard');
    const lb = modeling.leaderboard.map((e: any, i: number) => (i === 0 ? { ...e, cv_mean: e.cv_mean + 0.001 } : e));
    const c = check({ modeling: { ...modeling, leaderboard: lb } });
    expect(c.findings).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'leaderboard', message: expect.stringMatching(/cv_mean is not the mean of its fold scores/) })]));
    expect(c.ok).toBe(false);
    expect(checksOf(check({ modeling: { ...modeling, importances: [{ feature: 'ghost', importance: 1 }] } }), 'error')).toEqual(['importances']);
  });

  test('metric out of range, more rows used than exist, a target the profile does not have', () => {
    const lb = [{ model: 'linear', cv_mean: 1.5, cv_std: 0, folds: [1.5] }];
    expect(checksOf(check({ modeling: { ...modeling, leaderboard: lb, best_model: 'linear' } }), 'error')).toContain('metric_range');
    expect(checksOf(check({ modeling: { ...modeling, rows_used: 400 } }), 'error')).toContain('counts');
    expect(checksOf(check({ modeling: { ...modeling, target: 'Nope' } }), 'error')).toEqual(['target']);
  });

  test('result.json that disagrees with the profile or the leaderboard', () => {
    const r = JSON.parse(resultJson);
    expect(checksOf(check({ result: { ...r, dataset: { rows: 343, cols: 7 } } }), 'error')).toEqual(['counts']);
    expect(checksOf(check({ result: { ...r, modeling: { ...r.modeling, leaderboard: r.modeling.leaderboard.slice(1) } } }), 'error')).toEqual(['leaderboard']);
  });
});

describe('model quality warnings', () => {
  // Without result.json: these change modeling.json alone, and the draft result would (rightly) disagree with it.
  test('a train score far above the cross-validated one is overfitting', () => {
    const lowCv = modeling.leaderboard.map((e: any) => ({ ...e, cv_mean: e.cv_mean * 0.8, folds: e.folds.map((f: number) => f * 0.8) }));
    const over = check({ modeling: { ...modeling, leaderboard: lowCv, train_score: 1 }, result: null });
    expect(over.findings).toEqual([expect.objectContaining({ severity: 'warning', check: 'overfitting', message: expect.stringMatching(/scores 1\.000 on its training rows but 0\.7\d\d cross-validated/) })]);
    expect(over.ok).toBe(true);
    const close = check({ modeling: { ...modeling, train_score: modeling.leaderboard[0].cv_mean + OVERFIT_GAP / 2 }, result: null });
    expect(close.findings).toEqual([]);
  });

  test('regression: a cross-validated RMSE far above the training RMSE is overfitting', () => {
    const lb = [{ model: 'gbdt', cv_mean: 30, cv_std: 1, folds: [29, 31] }];
    const c = check({ modeling: { ...modeling, task: 'regression', metric: 'rmse', leaderboard: lb, best_model: 'gbdt', train_score: 10 }, result: null });
    expect(c.findings).toEqual([expect.objectContaining({ check: 'overfitting', message: expect.stringMatching(/RMSE 30\.00 is 3\.0× its training RMSE/) })]);
  });

  test('columns left out as leaks and a winning baseline are said', () => {
    const leak = { ...modeling, excluded: [{ column: 'Species_code', reason: 'target leakage: its value determines the target in 100.0% of rows' }] };
    expect(check({ modeling: leak, result: null }).findings).toEqual([expect.objectContaining({ severity: 'warning', check: 'leakage', message: expect.stringContaining("'Species_code' (its value determines the target") })]);
    const base = { ...modeling, best_model: 'baseline', train_score: 0.5, leaderboard: [{ model: 'baseline', cv_mean: 0.5, cv_std: 0, folds: [0.5] }] };
    const r = JSON.parse(resultJson);
    expect(check({ modeling: base, result: { ...r, modeling: { ...r.modeling, leaderboard: [{ model: 'baseline', cv_mean: 0.5, cv_std: 0 }] } } }).findings)
      .toEqual([expect.objectContaining({ severity: 'warning', check: 'baseline' })]);
  });

  test('LEAKAGE alerts in result.json that disagree with the columns training left out are an error', () => {
    const r = JSON.parse(resultJson);
    const leak = { ...modeling, excluded: [{ column: 'Species_code', reason: 'target leakage: its value determines the target in 100.0% of rows' }] };
    const alert = { kind: 'LEAKAGE', column: 'Species_code', value: 1, message: 'x' };
    expect(checksOf(check({ modeling: leak, result: { ...r, eda: { summary: {}, alerts: [alert] } } }), 'error')).toEqual([]);
    const missing = check({ modeling: leak, result: r }).findings.find((f) => f.severity === 'error');
    expect(missing).toMatchObject({ check: 'leakage', message: 'The LEAKAGE alerts (none) and the columns training left out as leaks (Species_code) disagree.' });
    const extra = check({ result: { ...r, eda: { summary: {}, alerts: [{ ...alert, column: 'island' }] } } }).findings.find((f) => f.severity === 'error');
    expect(extra).toMatchObject({ check: 'leakage', message: 'The LEAKAGE alerts (island) and the columns training left out as leaks (none) disagree.' });
  });
});

describe('the report', () => {
  test('script, event handlers and external loads are errors; hostile text inside attributes is not', () => {
    const withScript = reportHtml.replace('</main>', '<script>alert(1)</script></main>');
    expect(check({ report: withScript }).findings.map((f) => f.message)).toContain('The report contains script or event handlers.');
    const handler = reportHtml.replace('<main>', '<main onclick="x()">');
    expect(checksOf(check({ report: handler }), 'error')).toEqual(['report']);
    const external = reportHtml.replace('</main>', '<img src="https://example.com/x.png"></main>');
    expect(check({ report: external }).findings.map((f) => f.message)).toEqual(['The report loads something from outside the file.']);
    const escapedText = reportHtml.replace('</main>', '<p title="a onclick=x() src=http://y">onload=alert(1) &lt;script&gt;</p></main>');
    expect(check({ report: escapedText }).findings).toEqual([]);
  });

  test('a missing section is an error; past the size budget is a warning', () => {
    const noQa = reportHtml.replace('id="qa"', 'id="qq"');
    expect(check({ report: noQa }).findings.map((f) => f.message)).toEqual(['The report lacks these sections: QA findings and warnings.']);
    const big = reportHtml.replace('</main>', `<p>${'x'.repeat(REPORT_MAX_BYTES)}</p></main>`);
    expect(check({ report: big }).findings).toEqual([expect.objectContaining({ severity: 'warning', check: 'report_size' })]);
  });
});

test('the workflow treats exactly the engine\'s data error codes as final', async () => {
  const { DATA_ERROR_CODES } = await import('../../../analysis/errors.js');
  const { DATA_FAILURE_TYPES } = await import('../../../workflows/definitions.js');
  expect([...DATA_FAILURE_TYPES].sort()).toEqual([...DATA_ERROR_CODES].sort());
});
