import fs from 'node:fs';
import path from 'node:path';
import { toFormData, unwrap } from '../../client/index.js';
import { table, type CommandContext } from '../context.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { fileBlob } from './analyze.js';

/** Rows from a JSON file: an array of objects, `{rows: [...]}`, or one object per line (NDJSON). */
export function jsonRows(text: string, file: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  let value: unknown;
  try {
    value = trimmed.startsWith('[') || trimmed.startsWith('{"rows"') || /^\{\s*"rows"\s*:/.test(trimmed) ? JSON.parse(trimmed)
      : trimmed.split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
  } catch (err) {
    throw new CliError(`${file}: not JSON rows (${(err as Error).message}).`, EXIT.usage);
  }
  const rows = Array.isArray(value) ? value : (value as { rows?: unknown }).rows;
  if (!Array.isArray(rows) || !rows.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
    throw new CliError(`${file}: expected an array of objects, {"rows": [...]}, or one object per line.`, EXIT.usage);
  }
  return rows as Record<string, unknown>[];
}

/**
 * `assay predict MODEL FILE`: a CSV goes to the API as it is (the API reads it with the model's types), JSON rows as
 * JSON. Prints a prediction per row, or everything (probabilities, drift, explanations) with `--json`.
 */
export async function predict(modelId: string, file: string, o: { explain?: boolean }, ctx: CommandContext): Promise<ExitCode> {
  const params = { path: { id: modelId }, query: { explain: o.explain ? 'true' as const : 'false' as const } };
  const ext = path.extname(file).toLowerCase();
  let out;
  if (ext === '.csv') {
    out = await unwrap(ctx.api.POST('/models/{id}/predict', { params, body: { file: await fileBlob(file) }, bodySerializer: toFormData }));
  } else if (['.json', '.ndjson', '.jsonl'].includes(ext)) {
    if (!fs.existsSync(file)) throw new CliError(`${file}: no such file.`, EXIT.usage);
    out = await unwrap(ctx.api.POST('/models/{id}/predict', { params, body: { rows: jsonRows(fs.readFileSync(file, 'utf8'), file) } }));
  } else {
    throw new CliError(`${file}: give rows as .csv, .json or .ndjson.`, EXIT.usage);
  }
  const result = out;
  ctx.print(result, () => [
    table(['ROW', 'PREDICTION', ...(result.probabilities ? ['PROBABILITY'] : [])], result.predictions.map((p, i) => {
      const probs = result.probabilities?.[i];
      return [i + 1, p, ...(probs ? [Math.max(...Object.values(probs)).toFixed(3)] : [])];
    })),
    ...result.drift.filter((d) => d.drifted).map((d) => `drift: ${d.feature} (PSI ${d.psi.toFixed(2)} against the training rows)`),
    ...(result.drift_note ? [result.drift_note] : []),
    ...result.warnings.map((w) => `warning: ${w}`),
  ].join('\n'));
  return EXIT.ok;
}
