import { Context } from '@temporalio/activity';
import type { TableManifest } from '../analysis/ingest/read-table.js';
import type { EdaResult } from '../analysis/profile/types.js';
import { renderReportHtml, type ReportModeling } from '../analysis/report/render-html.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { whileHeartbeating } from './heartbeat.js';
import { putArtifact, readJson, runLog } from './run-records.js';

export interface ReportInput {
  run_id: string; workflow_id: string; manifest_key: string; eda_key: string; modeling_key: string | null;
  warnings: string[]; options: Record<string, unknown>;
}
export interface ReportSummary { report_key: string; report_id: string; attempt: number }

/** Renders the HTML report from eda.json and modeling.json and stores it as the run's report artifact. */
export function reportActivity(deps: ActivityDeps, ui: { temporalUiUrl: string; namespace: string }) {
  return async function report(input: ReportInput): Promise<ReportSummary> {
    // Heartbeats while it works: the stage runs under a heartbeat timeout like every long stage.
    return whileHeartbeating(dataErrorsAreFinal(async () => {
      const manifest = await readJson<TableManifest & { dataset: { name: string; filename: string; sha256: string } }>(deps, input.manifest_key);
      const eda = await readJson<EdaResult>(deps, input.eda_key);
      const modeling = input.modeling_key ? await readJson<ReportModeling & { warnings?: string[] }>(deps, input.modeling_key) : null;
      const warnings = [...new Set([...input.warnings, ...(modeling?.warnings ?? [])])];
      const page = renderReportHtml({
        title: `Assay report: ${manifest.dataset.name}`, dataset: manifest.dataset, eda, modeling, warnings,
        run: { run_id: input.run_id, workflow_id: input.workflow_id, temporal_ui_url: ui.temporalUiUrl, namespace: ui.namespace, options: input.options },
        generatedAt: new Date().toISOString(),
      });
      const saved = await putArtifact(deps, input.run_id, { type: 'report', filename: 'report.html', body: page, contentType: 'text/html; charset=utf-8' });
      await runLog(deps, input.run_id, 'info', `report: ${(saved.size / 1024).toFixed(0)} KB HTML written`);
      return { report_key: saved.key, report_id: saved.id, attempt: Context.current().info.attempt };
    }), () => ({ phase: 'render' }));
  };
}
