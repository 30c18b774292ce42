import fs from 'node:fs';
import { DataError } from '../errors.js';

/** Deeper nesting than this is refused: a table needs flat records, and DuckDB's schema inference slows sharply with depth. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN = [0x5b, 0x7b], CLOSE = [0x5d, 0x7d];

/**
 * Scans UTF-8 JSON or NDJSON for brackets nested deeper than `max` (outside strings), streaming.
 * A 10 KB file of 5,000 nested arrays kept DuckDB busy for minutes, beyond the reach of an interrupt.
 * @throws DataError naming the limit
 */
export async function checkJsonDepth(file: string, max = MAX_JSON_DEPTH): Promise<void> {
  let depth = 0, inString = false, escaped = false;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
      } else if (b === QUOTE) inString = true;
      else if (b === OPEN[0] || b === OPEN[1]) {
        if (++depth > max) throw new DataError('UNPROCESSABLE_DATASET', `The JSON nests deeper than ${max} levels, the limit for a table; upload flat objects, one per row.`, { limit: 'json_depth', max });
      } else if (b === CLOSE[0] || b === CLOSE[1]) depth = Math.max(0, depth - 1);
    }
  }
}
