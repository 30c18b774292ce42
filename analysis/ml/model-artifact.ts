import type { ModelArtifact } from './train-models.js';

/** The artifact version this code predicts with; older files must be trained again. */
export const MODEL_ARTIFACT_VERSION = 2;

/**
 * Reads a stored model file (the JSON `train` writes). Returns null when an earlier version of Assay saved it and
 * this code cannot predict with it (the caller says to train again).
 * @example const model = readModelArtifact(await storage.get(row.storage_key));
 */
export function readModelArtifact(bytes: Buffer): ModelArtifact | null {
  const model = JSON.parse(bytes.toString('utf8')) as ModelArtifact;
  return model.version === MODEL_ARTIFACT_VERSION ? model : null;
}
