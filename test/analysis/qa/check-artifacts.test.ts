import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { DataError } from '../../../analysis/errors.js';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { profileTable } from '../../../analysis/profile/profile-table.js';
import { checkArtifacts } from '../../../analysis/qa/check-artifacts.js';
import { VEGA } from '../../helpers/client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qa-'));
const edaFor = async () => {
  const p = path.join(tmp, 'p.parquet');
  const m = await readTable({ inputPath: VEGA('penguins.json'), format: 'json', parquetOut: p });
  return profileTable(p, m.columns, { done: [] });
};
const modeling = {
  version: 2, task: 'classification', target: 'Species', metric: 'macro_f1', best_model: 'linear', features: ['a'], excluded: [], importances: [],
  shap_importance: [], partial_dependence: [], diagnostics: { kind: 'classification', held_out_rows: 69 }, train_score: 0.92, explained_on: '69 held-out rows', charts: [],
  leaderboard: [{ model: 'linear', cv_mean: 0.9, cv_std: 0.01, folds: [0.9] }, { model: 'baseline', cv_mean: 0.2, cv_std: 0, folds: [0.2] }],
  rows_used: 344, total_rows: 344, sampled: false, warnings: [], cv_folds: 5, seed: 1,
};

test('valid artifacts pass with no findings', async () => {
  const c = checkArtifacts({ manifestRows: 344, edaJson: JSON.stringify(await edaFor()), modelingJson: JSON.stringify(modeling), reportHtml: '<!doctype html><p>ok' });
  expect(c).toEqual({ version: 1, ok: true, findings: [] });
});

test('corrupt or inconsistent artifacts fail non-retryably with the reason', async () => {
  const eda = await edaFor();
  const expectCorrupt = (fn: () => unknown, why: RegExp) => {
    const err = (() => { try { fn(); } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('CORRUPT_ARTIFACT');
    expect((err as DataError).message).toMatch(why);
  };
  expectCorrupt(() => checkArtifacts({ manifestRows: 344, edaJson: '{"version":1,', modelingJson: null, reportHtml: '' }), /eda.json is not valid JSON/);
  expectCorrupt(() => checkArtifacts({ manifestRows: 344, edaJson: JSON.stringify({ ...eda, version: 2 }), modelingJson: null, reportHtml: '' }), /eda.json does not match its schema at version/);
  expectCorrupt(() => checkArtifacts({ manifestRows: 999, edaJson: JSON.stringify(eda), modelingJson: null, reportHtml: '' }), /counts 344 rows but ingest read 999/);
  expectCorrupt(() => checkArtifacts({ manifestRows: 344, edaJson: JSON.stringify(eda), modelingJson: JSON.stringify({ ...modeling, leaderboard: [] }), reportHtml: '' }), /modeling.json does not match/);
});

test('an unordered leaderboard and a winning baseline are findings', async () => {
  const eda = JSON.stringify(await edaFor());
  const unordered = { ...modeling, leaderboard: [...modeling.leaderboard].reverse() };
  const c = checkArtifacts({ manifestRows: 344, edaJson: eda, modelingJson: JSON.stringify(unordered), reportHtml: '<!doctype html>' });
  expect(c.ok).toBe(false);
  expect(c.findings.map((f) => f.check)).toContain('leaderboard');
  const base = { ...modeling, best_model: 'baseline', leaderboard: [{ model: 'baseline', cv_mean: 0.5, cv_std: 0, folds: [0.5] }] };
  expect(checkArtifacts({ manifestRows: 344, edaJson: eda, modelingJson: JSON.stringify(base), reportHtml: '<!doctype html>' }).findings)
    .toEqual([expect.objectContaining({ severity: 'warning', check: 'baseline' })]);
});

test('the workflow treats exactly the engine\'s data error codes as final', async () => {
  const { DATA_ERROR_CODES } = await import('../../../analysis/errors.js');
  const { DATA_FAILURE_TYPES } = await import('../../../workflows/definitions.js');
  expect([...DATA_FAILURE_TYPES].sort()).toEqual([...DATA_ERROR_CODES].sort());
});
