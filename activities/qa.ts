import { Context } from '@temporalio/activity';
import { checkArtifacts } from '../analysis/qa/check-artifacts.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { whileHeartbeating } from './heartbeat.js';
import { buildResult, type LoadedText, type RunEnding } from './result-json.js';
import { putArtifact, runLog } from './run-records.js';

export interface QaInput {
  run_id: string; rows: number; eda_key: string; modeling_key: string | null; report_key: string;
  /** The run as it would end now; QA builds result.json from it and validates that too. Absent in older histories. */
  ending?: Omit<RunEnding, 'run_id' | 'status' | 'error'>;
  /** The PDF, when the report stage printed one. */
  pdf_key?: string | null;
}
export interface QaSummary { critique_key: string; ok: boolean; warnings: string[]; attempt: number }

/** Checks every artifact against its schema and the numbers against each other; writes critique.json. */
export function qaActivity(deps: ActivityDeps) {
  return async function qa(input: QaInput): Promise<QaSummary> {
    return whileHeartbeating(dataErrorsAreFinal(async () => {
      // Each artifact is read once: the checks and the draft result.json share the text.
      const loaded: LoadedText = {};
      for (const key of [input.eda_key, input.modeling_key, input.report_key]) if (key) loaded[key] = (await deps.storage.get(key)).toString('utf8');
      const draft = input.ending ? await buildResult(deps, { ...input.ending, run_id: input.run_id, status: 'completed', error: null }, loaded) : null;
      const critique = checkArtifacts({
        manifestRows: input.rows, edaJson: loaded[input.eda_key],
        modelingJson: input.modeling_key ? loaded[input.modeling_key] : null, reportHtml: loaded[input.report_key],
        resultJson: draft ? JSON.stringify(draft) : null,
      });
      if (input.pdf_key) {
        const head = (await deps.storage.get(input.pdf_key)).subarray(0, 5).toString('latin1');
        if (head !== '%PDF-') critique.findings.push({ severity: 'error', check: 'report_pdf', message: 'report.pdf is not a PDF file.' });
        critique.ok = !critique.findings.some((f) => f.severity === 'error');
      }
      const saved = await putArtifact(deps, input.run_id, { type: 'critique', filename: 'critique.json', body: JSON.stringify(critique), contentType: 'application/json' });
      await runLog(deps, input.run_id, critique.ok ? 'info' : 'warn', `qa: ${critique.findings.length} findings`);
      return { critique_key: saved.key, ok: critique.ok, warnings: critique.findings.map((f) => `QA ${f.check}: ${f.message}`), attempt: Context.current().info.attempt };
    }), () => ({ phase: 'check' }));
  };
}
