import { createHash } from 'node:crypto';
import type { FoldScore, OofStore } from '../analysis/ml/train-models.js';
import type { ActivityDeps } from './deps.js';
import { runPrefix } from './run-records.js';

/** Where a run's train stage keeps its out-of-fold predictions while it runs; gone once the run ends. */
export const oofPrefix = (runId: string) => `${runPrefix(runId)}scratch/train-oof/`;

/**
 * Out-of-fold predictions of each trial's folds as storage objects (raw little-endian float64), one per trial and
 * fold. The key is a function of the trial and fold alone, so a retried attempt that refits a fold overwrites the
 * same object with the same bytes (the folds and fits are seeded) instead of adding one.
 */
export function storageOofStore(deps: ActivityDeps, runId: string): OofStore {
  return {
    async save(score: FoldScore, oof: Float64Array) {
      const trial = createHash('sha256').update(score.key ?? score.model).digest('hex').slice(0, 24);
      const key = `${oofPrefix(runId)}${trial}-${score.fold}.f64`;
      await deps.storage.put(key, new Uint8Array(oof.buffer, oof.byteOffset, oof.byteLength), 'application/octet-stream');
      return key;
    },
    async load(key: string) {
      if (!key.startsWith(oofPrefix(runId))) return undefined; // a heartbeat names only this run's objects
      // Gone (the run ended and cleaned up): the trial stays out of the ensemble. Any other failure (storage down)
      // fails the attempt, which retries, rather than quietly building a different ensemble.
      if (!(await deps.storage.exists(key))) return undefined;
      const bytes = await deps.storage.get(key);
      if (bytes.byteLength % 8 !== 0) return undefined;
      // Copied into its own buffer: a Buffer's bytes may sit at an offset that is no multiple of 8 in a shared pool.
      return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    },
  };
}
