import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { withDuck } from '../../../analysis/duck.js';
import { loadFrame } from '../../../analysis/ml/load-frame.js';

test('above sample_rows a classification table is sampled per class, reproducibly', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frame-'));
  const parquet = path.join(dir, 't.parquet');
  // 10,000 rows, 5% of them in the rare class.
  await withDuck(async (conn) => {
    await conn.run(`COPY (SELECT i AS x, CASE WHEN i % 20 = 0 THEN 'rare' ELSE 'common' END AS label FROM range(10000) t(i)) TO '${parquet}' (FORMAT parquet)`);
  });
  const a = await loadFrame(parquet, ['x', 'label'], { sampleRows: 1000, seed: 3, stratifyBy: 'label' });
  expect(a).toMatchObject({ totalRows: 10_000, sampled: true });
  expect(a.frame.rows).toBe(1000);
  expect(a.frame.columns.label.filter((l) => l === 'rare')).toHaveLength(50);
  const b = await loadFrame(parquet, ['x', 'label'], { sampleRows: 1000, seed: 3, stratifyBy: 'label' });
  expect(new Set(b.frame.columns.x)).toEqual(new Set(a.frame.columns.x));
  const whole = await loadFrame(parquet, ['x', 'label'], { sampleRows: 20_000, seed: 3, stratifyBy: 'label' });
  expect(whole).toMatchObject({ sampled: false, frame: { rows: 10_000 } });
  fs.rmSync(dir, { recursive: true, force: true });
});
