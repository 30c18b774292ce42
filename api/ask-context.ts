import type { NlqColumn } from '../analysis/nlq/query.js';
import { READER_VERSION } from '../analysis/nlq/run.js';
import type { Dataset } from '../db/schema.js';

/** Datasets whose common values are kept at once; the least recently asked goes first. */
const MAX_DATASETS = 200;

/**
 * The common values of each dataset's categorical columns and the spans of its date columns, as the reader
 * gathered them for an earlier question, so a wide table is not queried for them on every question. Keyed by the
 * dataset, its bytes (sha256) and the reader's version: a re-upload or a newer reader gathers them afresh.
 */
export interface AskContextCache {
  get(ds: Pick<Dataset, 'id' | 'sha256'>): NlqColumn[] | undefined;
  set(ds: Pick<Dataset, 'id' | 'sha256'>, context: NlqColumn[]): void;
  readonly size: number;
}

/** Builds an in-memory LRU `AskContextCache` of at most `max` datasets. */
export function askContextCache(max = MAX_DATASETS): AskContextCache {
  const entries = new Map<string, NlqColumn[]>();
  const key = (ds: Pick<Dataset, 'id' | 'sha256'>) => `${ds.id}:${ds.sha256}:v${READER_VERSION}`;
  return {
    get(ds) {
      const k = key(ds);
      const hit = entries.get(k);
      // Re-inserted so the Map's order stays least recently used first.
      if (hit) { entries.delete(k); entries.set(k, hit); }
      return hit;
    },
    set(ds, context) {
      const k = key(ds);
      entries.delete(k);
      entries.set(k, context);
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    get size() { return entries.size; },
  };
}
