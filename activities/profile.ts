import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { decideTarget, type TargetDecision } from '../analysis/clarify/decide-target.js';
import { groupCandidates, groupOffer } from '../analysis/clarify/group-candidates.js';
import type { RepeatedId } from '../analysis/ml/validation/repeated-ids.js';
import type { TableManifest } from '../analysis/ingest/read-table.js';
import type { AlertThresholds } from '../analysis/profile/alerts.js';
import { profileTable, type ProfilePhase } from '../analysis/profile/profile-table.js';
import type { ColumnProfile } from '../analysis/profile/types.js';
import type { ActivityDeps } from './deps.js';
import { dataErrorsAreFinal } from './failures.js';
import { checkpoint, resumeDetails, whileHeartbeating } from './heartbeat.js';
import { putArtifact, readJson, runKey, runLog } from './run-records.js';

export interface ProfileInput {
  run_id: string; manifest_key: string; parquet_key: string;
  /** The run's `options.alert_thresholds`. */
  thresholds?: Partial<AlertThresholds>;
  /** The run's target when given up front, for LEAKAGE alerts. */
  target?: string;
}
export interface ProfileSummary {
  eda_key: string; rows: number; cols: number; alerts: number; decision: TargetDecision;
  resumed_from: number; attempt: number;
}
/** Heartbeat details: how many columns are done, where their statistics are saved, and the step running now. */
export interface ProfileCheckpoint { columns_done: number; columns_total?: number; partial_key: string; phase?: ProfilePhase }

/** Checkpoint at most this often, so wide tables do not write a partial file per column. */
const CHECKPOINT_EVERY_MS = 2000;

/** Profiles the normalised copy column by column, checkpointing so a retry resumes where it stopped. */
export function profileActivity(deps: ActivityDeps) {
  return async function profile(input: ProfileInput): Promise<ProfileSummary> {
    return dataErrorsAreFinal(async () => {
      const manifest = await readJson<TableManifest>(deps, input.manifest_key);
      const partialKey = runKey(input.run_id, 'profile.partial.json');
      const prior = resumeDetails<ProfileCheckpoint>();
      let done: ColumnProfile[] = [];
      if (prior && prior.columns_done > 0 && (await deps.storage.exists(prior.partial_key))) {
        done = (await readJson<ColumnProfile[]>(deps, prior.partial_key)).slice(0, prior.columns_done);
        await runLog(deps, input.run_id, 'info', `profile: resuming after ${done.length} of ${manifest.cols} columns`);
      }
      const resumedFrom = done.length;
      const dir = await fs.mkdtemp(path.join(deps.tmpDir, 'profile-'));
      try {
        const parquet = path.join(dir, 'data.parquet');
        await deps.storage.getToFile(input.parquet_key, parquet);
        const columnsTotal = manifest.columns.length;
        let saved: ProfileCheckpoint = { columns_done: done.length, columns_total: columnsTotal, partial_key: partialKey };
        let lastSave = Date.now();
        let phase: ProfilePhase = 'load';
        // The table-wide queries after the last column can run for minutes on big tables: the heartbeat goes on
        // through them (with the step), or the stage would time out and retry for ever.
        const eda = await whileHeartbeating(profileTable(parquet, manifest.columns, {
          done, thresholds: input.thresholds, target: input.target, signal: Context.current().cancellationSignal,
          onPhase: (p) => { phase = p; },
          onColumn: async (soFar, total) => {
            if (Date.now() - lastSave >= CHECKPOINT_EVERY_MS || soFar.length === total) {
              await deps.storage.put(partialKey, JSON.stringify(soFar), 'application/json');
              saved = { columns_done: soFar.length, columns_total: columnsTotal, partial_key: partialKey };
              lastSave = Date.now();
            }
            await checkpoint({ ...saved, phase });
          },
        }), () => ({ ...saved, phase } satisfies ProfileCheckpoint));
        const edaArtifact = await putArtifact(deps, input.run_id, { type: 'eda', filename: 'eda.json', body: JSON.stringify(eda), contentType: 'application/json' });
        await deps.storage.delete(partialKey);
        await runLog(deps, input.run_id, 'info', `profile: ${eda.columns.length} columns profiled, ${eda.alerts.length} alerts`);
        return {
          eda_key: edaArtifact.key, rows: eda.dataset.rows, cols: eda.dataset.cols, alerts: eda.alerts.length,
          decision: withGroupOffer(decideTarget(eda.target_candidates), groupCandidates(eda.columns)),
          resumed_from: resumedFrom, attempt: Context.current().info.attempt,
        };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  };
}

/** A question about the target also offers grouping folds by a repeated identifier, when one exists. */
function withGroupOffer(d: TargetDecision, groups: RepeatedId[]): TargetDecision {
  return d.kind === 'ask' && groups.length ? { ...d, message: d.message + groupOffer(groups), group_options: groups } : d;
}
