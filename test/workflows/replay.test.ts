import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { expect, test } from 'vitest';
import { bundle, HISTORIES_DIR } from './harness.js';

// Recorded with `npm run histories:record`. A workflow change that breaks one of these needs patched() or a new type.
// Histories from before a patch are kept (e.g. *-before-stage-attribute.json) so runs started on old code still replay.
const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();

test('every recorded path has a history', () => {
  expect(files.map((f) => f.replace('.json', ''))).toEqual(expect.arrayContaining([
    'happy-path', 'clarify', 'clarify-timeout', 'cancel-signal', 'cancel-temporal', 'retry-needs-attention', 'bad-data', 'heartbeat-resume', 'compare-happy', 'compare-bad-data',
    'predict-happy', 'predict-heartbeat-resume', 'predict-bad-data', 'pipeline-happy', 'pipeline-bad-data',
  ]));
});

test('the current workflow code replays every recorded history deterministically', async () => {
  const histories = files.map((f) => ({
    workflowId: f.replace('.json', ''),
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
  }));
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: await bundle() }, histories)) results.push(r);
  expect(results).toHaveLength(files.length);
  for (const r of results) expect({ id: r.workflowId, error: r.error?.message }).toEqual({ id: r.workflowId, error: undefined });
});
