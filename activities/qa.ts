import { Context } from '@temporalio/activity';
import { checkArtifacts } from '../analysis/qa/check-artifacts.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { whileHeartbeating } from './heartbeat.js';
import { putArtifact, runLog } from './run-records.js';

export interface QaInput { run_id: string; rows: number; eda_key: string; modeling_key: string | null; report_key: string }
export interface QaSummary { critique_key: string; ok: boolean; warnings: string[]; attempt: number }

/** Checks every artifact against its schema and the numbers against each other; writes critique.json. */
export function qaActivity(deps: ActivityDeps) {
  return async function qa(input: QaInput): Promise<QaSummary> {
    return whileHeartbeating(dataErrorsAreFinal(async () => {
      const text = async (key: string) => (await deps.storage.get(key)).toString('utf8');
      const critique = checkArtifacts({
        manifestRows: input.rows, edaJson: await text(input.eda_key),
        modelingJson: input.modeling_key ? await text(input.modeling_key) : null, reportHtml: await text(input.report_key),
      });
      const saved = await putArtifact(deps, input.run_id, { type: 'critique', filename: 'critique.json', body: JSON.stringify(critique), contentType: 'application/json' });
      await runLog(deps, input.run_id, critique.ok ? 'info' : 'warn', `qa: ${critique.findings.length} findings`);
      return { critique_key: saved.key, ok: critique.ok, warnings: critique.findings.map((f) => `QA ${f.check}: ${f.message}`), attempt: Context.current().info.attempt };
    }), () => ({ phase: 'check' }));
  };
}
