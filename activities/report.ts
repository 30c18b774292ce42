import { Context } from '@temporalio/activity';
import type { TableManifest } from '../analysis/ingest/read-table.js';
import type { EdaResult } from '../analysis/profile/types.js';
import { checkArtifacts } from '../analysis/qa/check-artifacts.js';
import { inlineLogo } from '../analysis/report/logo.js';
import { renderReportHtml } from '../analysis/report/render-html.js';
import { renderReportPdf } from '../analysis/report/render-pdf.js';
import type { ReportSettings } from '../analysis/report/settings.js';
import { resolveTheme } from '../analysis/report/theme.js';
import type { Modeling } from '../analysis/report/types.js';
import { softwareVersions } from '../analysis/report/versions.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { whileHeartbeating } from './heartbeat.js';
import { putArtifact, runLog } from './run-records.js';
import { reconcileLeakAlerts } from '../analysis/profile/leak-alerts.js';

export interface ReportInput {
  run_id: string; workflow_id: string; manifest_key: string; eda_key: string; modeling_key: string | null;
  warnings: string[]; options: Record<string, unknown>;
}
export interface ReportSummary {
  report_key: string; report_id: string;
  /** The PDF's artifact id; absent when Chromium could not print it (then `warnings` says why). */
  pdf_id?: string;
  pdf_key?: string;
  /** What the run should tell its user about the report (no PDF, a theme colour changed, no logo). */
  warnings?: string[];
  attempt: number;
}

/**
 * Renders the HTML report (and its PDF where Chromium is available) from eda.json and modeling.json, after
 * checking both the way QA does so the report can show QA's findings; stores both as the run's artifacts.
 */
export function reportActivity(deps: ActivityDeps, settings: ReportSettings) {
  return async function report(input: ReportInput): Promise<ReportSummary> {
    const progress = { phase: 'render', done: 0, total: 1 };
    return whileHeartbeating(dataErrorsAreFinal(async () => {
      const text = async (key: string) => (await deps.storage.get(key)).toString('utf8');
      const manifest = JSON.parse(await text(input.manifest_key)) as TableManifest & { dataset: { name: string; filename: string; sha256: string } };
      const readNotes = manifest.source?.notes ?? []; // manifests written before ingest recorded its notes have none
      const edaJson = await text(input.eda_key);
      const modelingJson = input.modeling_key ? await text(input.modeling_key) : null;
      const { findings } = checkArtifacts({ manifestRows: manifest.rows, edaJson, modelingJson, reportHtml: null });
      const modeling = modelingJson ? JSON.parse(modelingJson) as Modeling : null;
      const profiled = JSON.parse(edaJson) as EdaResult;
      const eda = { ...profiled, alerts: reconcileLeakAlerts(profiled.alerts, modeling) };
      const { theme, adjustments } = resolveTheme(settings.theme);
      const logo = settings.logoUrl ? await inlineLogo(settings.logoUrl) : null;
      const notes = [...adjustments, ...(logo?.warning ? [logo.warning] : [])];
      const title = `Assay report: ${manifest.dataset.name}`;
      const page = await renderReportHtml({
        title, dataset: manifest.dataset, readNotes, eda, modeling, findings,
        warnings: [...new Set([...input.warnings, ...(modeling?.warnings ?? []), ...notes])],
        run: { run_id: input.run_id, workflow_id: input.workflow_id, temporal_ui_url: settings.temporalUiUrl, namespace: settings.namespace, options: input.options },
        versions: softwareVersions(), theme, logo: logo?.dataUri ?? null, generatedAt: new Date().toISOString(), maxColumnCards: settings.maxColumnCards,
      }, (done, total) => Object.assign(progress, { done, total }));
      const saved = await putArtifact(deps, input.run_id, { type: 'report', filename: 'report.html', body: page, contentType: 'text/html; charset=utf-8' });
      await runLog(deps, input.run_id, 'info', `report: ${(saved.size / 1024).toFixed(0)} KB HTML written`);
      Object.assign(progress, { phase: 'pdf' });
      const printed = await renderReportPdf(page, { chromiumPath: settings.chromiumPath, title, signal: Context.current().cancellationSignal });
      let pdfId: string | undefined, pdfKey: string | undefined;
      if (printed.pdf) {
        const pdf = await putArtifact(deps, input.run_id, { type: 'report_pdf', filename: 'report.pdf', body: printed.pdf, contentType: 'application/pdf' });
        pdfId = pdf.id;
        pdfKey = pdf.key;
        await runLog(deps, input.run_id, 'info', `report: ${(pdf.size / 1024).toFixed(0)} KB PDF written`);
      } else {
        notes.push(printed.warning);
        await runLog(deps, input.run_id, 'warn', `report: ${printed.warning}`);
      }
      return { report_key: saved.key, report_id: saved.id, pdf_id: pdfId, pdf_key: pdfKey, warnings: notes, attempt: Context.current().info.attempt };
    }), () => progress);
  };
}
