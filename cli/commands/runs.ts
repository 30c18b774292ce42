import { unwrap } from '../../client/index.js';
import { table, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { finish, follow } from './analyze.js';

const RUN_STATUSES = ['queued', 'running', 'awaiting_clarification', 'needs_attention', 'completed', 'failed', 'cancelled'] as const;
export type RunStatusName = (typeof RUN_STATUSES)[number];
export { RUN_STATUSES };

/** `assay runs`: the latest runs, newest first. */
export async function listRuns(o: { status?: RunStatusName; limit?: number }, ctx: CommandContext): Promise<ExitCode> {
  const page = await unwrap(ctx.api.GET('/runs', { params: { query: { status: o.status, limit: o.limit ?? 20 } } }));
  ctx.print(page, () => (page.items.length
    ? table(['RUN', 'STATUS', 'STAGE', 'DATASET', 'CREATED'], page.items.map((r) => [r.id, r.status, r.stage, r.dataset_id, r.created_at]))
    : 'No runs yet: assay analyze FILE --target COLUMN'));
  return EXIT.ok;
}

/** `assay status RUN`: the live status, its question if it asks one, and the last log lines. */
export async function showStatus(runId: string, ctx: CommandContext): Promise<ExitCode> {
  const s = await unwrap(ctx.api.GET('/runs/{id}/status', { params: { path: { id: runId } } }));
  ctx.print(s, () => [
    `${s.run_id}: ${s.status}, stage ${s.stage}, ${Math.round(s.progress)}%`,
    ...(s.error ? [`error: ${s.error}`] : []),
    ...(s.question ? [`asks: ${s.question.message}`, ...s.question.options.map((c) => `  ${c.column} (score ${c.score.toFixed(2)}): ${c.reason}`),
      `answer: assay answer ${s.run_id} --target <column>`] : []),
    ...s.logs.slice(-5).map((l) => `  ${l.at} ${l.level} ${l.message}`),
  ].join('\n'));
  return EXIT.ok;
}

/** `assay answer RUN --target y`: answers the run's clarification question; with `--wait`, follows it to the end. */
export async function answerRun(runId: string, o: { target?: string; task?: 'auto' | 'classification' | 'regression'; skipModeling?: boolean; wait?: boolean; out?: string }, ctx: CommandContext): Promise<ExitCode> {
  const r = await unwrap(ctx.api.POST('/runs/{id}/clarify', { params: { path: { id: runId } }, body: { target: o.target, task: o.task, skip_modeling: o.skipModeling } }));
  if (!o.wait) { ctx.print(r, () => `Run ${r.run_id} is ${r.status}.`); return EXIT.ok; }
  return finish(ctx, await follow(ctx, runId, undefined), o.out);
}

/** `assay cancel RUN`. */
export async function cancelRun(runId: string, ctx: CommandContext): Promise<ExitCode> {
  const r = await unwrap(ctx.api.POST('/runs/{id}/cancel', { params: { path: { id: runId } } }));
  ctx.print(r, () => `Run ${r.run_id} is ${r.status}.`);
  return EXIT.ok;
}
