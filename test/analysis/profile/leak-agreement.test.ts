import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { readTable } from '../../../analysis/ingest/read-table.js';
import { LEAK_REASON_PREFIX } from '../../../analysis/ml/leakage.js';
import { loadFrame } from '../../../analysis/ml/load-frame.js';
import { trainModels } from '../../../analysis/ml/train-models.js';
import { reconcileLeakAlerts } from '../../../analysis/profile/leak-alerts.js';
import { profileTable } from '../../../analysis/profile/profile-table.js';
import type { Alert } from '../../../analysis/profile/types.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leak-agree-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A churn table with three kinds of leak the one rule must catch alike, and honest features it must keep. */
function churnCsv(rows: number): string {
  const lines = ['tenure,spend,region,refund_code,cancel_fee,region_churn,churned'];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < rows; i++) {
    const tenure = Math.floor(rand() * 60), spend = Math.round(rand() * 100);
    const churned = rand() < 0.3 + (tenure < 12 ? 0.3 : 0) ? 'yes' : 'no';
    const region = ['north', 'south', 'east', 'west'][i % 4];
    // refund_code is written only after a customer left; cancel_fee is charged on leaving (a number that separates).
    const refund = churned === 'yes' ? `R${i % 7}` : `N${i % 7}`;
    const fee = churned === 'yes' ? 50 + rand() : rand();
    lines.push(`${tenure},${spend},${region},${refund},${fee.toFixed(3)},${region}-${churned === 'yes' ? 'c' : 's'},${churned}`);
  }
  return lines.join('\n') + '\n';
}

test('the profile\'s LEAKAGE alerts and training\'s exclusions name the same columns (one rule), and the result shows training\'s decision', async () => {
  const csv = path.join(tmp, 'churn.csv');
  fs.writeFileSync(csv, churnCsv(1500));
  const parquet = path.join(tmp, 'churn.parquet');
  const manifest = await readTable({ inputPath: csv, format: 'csv', parquetOut: parquet });
  const eda = await profileTable(parquet, manifest.columns, { done: [], target: 'churned' });
  const alerted = eda.alerts.filter((a) => a.kind === 'LEAKAGE').map((a) => a.column).sort();
  expect(alerted).toEqual(['cancel_fee', 'refund_code', 'region_churn']);

  const { frame } = await loadFrame(parquet, manifest.columns.map((c) => c.name), { sampleRows: 1e9, seed: 1 });
  const r = await trainModels({ frame, target: 'churned', task: 'classification', columns: manifest.columns, cvFolds: 3, seed: 1, models: ['linear'] });
  const excluded = r.excluded.filter((e) => e.reason.startsWith(LEAK_REASON_PREFIX)).map((e) => e.column).sort();
  expect(excluded).toEqual(alerted);
  expect(r.features).toEqual(expect.arrayContaining(['tenure', 'spend', 'region']));
  // A stricter threshold for the run moves both the same way.
  const strict = await profileTable(parquet, manifest.columns, { done: [], target: 'churned', thresholds: { leakage: 0.9999999 } });
  const rStrict = await trainModels({ frame, target: 'churned', task: 'classification', columns: manifest.columns, cvFolds: 3, seed: 1, models: ['linear'], leakThreshold: 0.9999999 });
  expect(strict.alerts.filter((a) => a.kind === 'LEAKAGE').map((a) => a.column).sort())
    .toEqual(rStrict.excluded.filter((e) => e.reason.startsWith(LEAK_REASON_PREFIX)).map((e) => e.column).sort());
}, 120_000);

test('reconciling: after training, the LEAKAGE alerts are exactly the columns training left out as leaks', () => {
  const alerts: Alert[] = [
    { kind: 'MISSING', column: 'a', value: 0.1, message: 'm' },
    { kind: 'LEAKAGE', column: 'only_in_profile', value: 0.991, message: 'x' },
  ];
  const modeling = { target: 'y', excluded: [
    { column: 'id', reason: 'identifier' },
    { column: 'only_in_training', reason: `${LEAK_REASON_PREFIX}its value determines the target in 99.5% of rows` },
    { column: 'auc', reason: `${LEAK_REASON_PREFIX}on its own it separates the classes with ROC AUC 0.997` },
  ] };
  const out = reconcileLeakAlerts(alerts, modeling);
  expect(out.filter((a) => a.kind === 'LEAKAGE').map((a) => [a.column, a.value])).toEqual([['only_in_training', 0.995], ['auc', 0.997]]);
  expect(out.find((a) => a.column === 'auc')!.message).toBe("'auc' almost determines the target 'y' (on its own it separates the classes with ROC AUC 0.997, on the training rows); it is probably derived from it and is left out of modeling.");
  expect(out).toContainEqual(alerts[0]);
  // Without modeling the profile's alerts stand.
  expect(reconcileLeakAlerts(alerts, null)).toBe(alerts);
});
