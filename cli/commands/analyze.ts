import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import { toFormData, unwrap, type operations } from '../../client/index.js';
import type { CommandContext } from '../context.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { progressView } from '../progress.js';
import { runEvents, type RunStatusBody } from '../run-events.js';

export interface AnalyzeOptions {
  target?: string; task?: 'auto' | 'classification' | 'regression'; metric?: string; cvFolds?: number; seed?: number;
  timeBudget?: number; ignore?: string[]; skipModeling?: boolean; project?: string; sheet?: string;
  wait?: boolean; answer?: string; out?: string;
}

type RunOptions = NonNullable<operations['startRun']['requestBody']>['content']['application/json']['options'];

/** A file on disk as an upload (read as it is sent, not first into memory). */
export async function fileBlob(file: string): Promise<File> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new CliError(`${file}: no such file.`, EXIT.usage);
  const blob = await fs.openAsBlob(file);
  return new File([blob], path.basename(file));
}

/** `assay analyze FILE`: uploads the table and starts a run; with `--wait`, follows it to the end and saves the report. */
export async function analyze(file: string, o: AnalyzeOptions, ctx: CommandContext): Promise<ExitCode> {
  const upload = await fileBlob(file);
  const view = progressView(ctx.stderr);
  ctx.stderr.write(`Uploading ${upload.name} (${(upload.size / 1024).toFixed(0)} KB)…\n`);
  const ds = await unwrap(ctx.api.POST('/datasets/upload', { body: { file: upload, project_id: o.project, sheet: o.sheet }, bodySerializer: toFormData }));
  ctx.stderr.write(`Dataset ${ds.dataset_id}: ${ds.rows}${ds.status === 'reading' ? '+' : ''} rows × ${ds.cols} columns.\n`);
  const options: RunOptions = {
    ...(o.target ? { target: o.target } : {}), ...(o.task ? { task: o.task } : {}), ...(o.metric ? { metric: o.metric as never } : {}),
    ...(o.cvFolds ? { cv_folds: o.cvFolds } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.timeBudget ? { time_budget_s: o.timeBudget } : {}), ...(o.ignore?.length ? { ignore_columns: o.ignore } : {}),
    ...(o.skipModeling ? { skip_modeling: true } : {}),
  };
  const run = await unwrap(ctx.api.POST('/runs/start', { body: { dataset_id: ds.dataset_id, project_id: o.project, options } }));
  if (!o.wait) {
    ctx.print({ dataset_id: ds.dataset_id, ...run }, () => `Run ${run.run_id} started (${run.status}). Follow it: assay status ${run.run_id}`);
    return EXIT.ok;
  }
  ctx.stderr.write(`Run ${run.run_id} started.\n`);
  const final = await follow(ctx, run.run_id, o.answer, view);
  return finish(ctx, final, o.out);
}

/** Follows the run's event stream to its end, answering a clarification question on the way. */
export async function follow(ctx: CommandContext, runId: string, answer: string | undefined, view = progressView(ctx.stderr)): Promise<RunStatusBody> {
  let answered = false;
  let last: RunStatusBody | null = null;
  for await (const e of runEvents(ctx.api, runId)) {
    if (e.kind === 'log') { view.log(e.log.message, e.log.level); continue; }
    last = e.status;
    view.status(e.status);
    if (e.status.status === 'awaiting_clarification' && e.status.question && !answered) {
      view.clear();
      const target = answer ?? await promptTarget(ctx, e.status.question);
      if (!target) {
        const cols = e.status.question.options.map((c) => c.column).join(', ');
        throw new CliError(`The run asks: ${e.status.question.message} Candidates: ${cols}. Answer with \`assay answer ${runId} --target <column>\`, or pass --answer.`, EXIT.needsAnswer, e.status);
      }
      await unwrap(ctx.api.POST('/runs/{id}/clarify', { params: { path: { id: runId } }, body: { target } }));
      ctx.stderr.write(`Answered: target ${target}.\n`);
      answered = true;
    }
  }
  view.clear();
  if (!last) throw new CliError('The event stream ended before it said anything about the run.', EXIT.serverError);
  return last;
}

/** Asks on the terminal which column to predict; null when there is no terminal to ask on. */
async function promptTarget(ctx: CommandContext, q: NonNullable<RunStatusBody['question']>): Promise<string | null> {
  if (!process.stdin.isTTY || !process.stderr.isTTY || ctx.json) return null;
  ctx.stderr.write(`${q.message}\n`);
  q.options.forEach((c, i) => ctx.stderr.write(`  ${i + 1}. ${c.column} (score ${c.score.toFixed(2)}: ${c.reason})\n`));
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const a = (await rl.question('Target column (number or name): ')).trim();
    const n = Number(a);
    return Number.isInteger(n) && n >= 1 && n <= q.options.length ? q.options[n - 1].column : a || null;
  } finally { rl.close(); }
}

/** Prints how the run ended; a completed run's report is saved. @returns 0 when completed, else 1 */
export async function finish(ctx: CommandContext, s: RunStatusBody, out?: string): Promise<ExitCode> {
  if (s.status !== 'completed') {
    ctx.print(s, () => `Run ${s.run_id} ${s.status}${s.error ? `: ${s.error}` : ''}.`);
    return EXIT.runFailed;
  }
  const result = await unwrap(ctx.api.GET('/runs/{id}/result', { params: { path: { id: s.run_id } } }));
  let report: string | null = null;
  if (result.report_html) {
    report = path.resolve(out ?? `assay-report-${s.run_id.slice(0, 8)}.html`);
    fs.writeFileSync(report, result.report_html);
  }
  const m = result.modeling;
  const best = m?.leaderboard[0];
  const summary = {
    run_id: s.run_id, status: s.status, rows: result.dataset.rows, cols: result.dataset.cols, report,
    modeling: m ? { task: m.task, target: m.target, metric: m.metric, best_model: best?.model, cv_mean: best?.cv_mean, cv_std: best?.cv_std,
      test_score: m.test_score ?? null, validation: m.validation?.scheme ?? null, model_id: m.best_model_id } : null,
    warnings: result.warnings,
  };
  ctx.print(summary, () => [
    `Run ${s.run_id} completed: ${result.dataset.rows} rows × ${result.dataset.cols} columns.`,
    ...(m && best ? [`Best model: ${best.model}, ${m.metric} ${best.cv_mean.toFixed(4)} ± ${best.cv_std.toFixed(4)} (${m.validation ? `${m.validation.folds}-fold ${m.validation.scheme}` : 'cross-validated'} mean ± std)`
      + (m.test_score !== null && m.test_score !== undefined ? `; ${m.test_score.toFixed(4)} on the held-out test rows` : '') + '.',
    `Model ${m.best_model_id}: assay predict ${m.best_model_id} rows.csv`] : []),
    ...(report ? [`Report saved to ${report}`] : []),
    ...result.warnings.map((w) => `warning: ${w}`),
  ].join('\n'));
  return EXIT.ok;
}
