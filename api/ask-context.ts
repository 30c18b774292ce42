import { createHash } from 'node:crypto';
import type { NlqColumn } from '../analysis/nlq/query.js';
import { READER_VERSION } from '../analysis/nlq/run.js';
import type { Dataset } from '../db/schema.js';

/** Datasets whose common values are kept at once; the least recently asked goes first. */
const MAX_DATASETS = 200;

/**
 * The common values of each dataset's categorical columns and the spans of its date columns, as the reader
 * gathered them for an earlier question, so a wide table is not queried for them on every question. Keyed by the
 * dataset, its bytes (sha256), its columns as read (a re-read that types them differently) and the reader's
 * version: any of these changing gathers them afresh.
 */
export interface AskContextCache {
  get(ds: CacheKey): NlqColumn[] | undefined;
  set(ds: CacheKey, context: NlqColumn[]): void;
  readonly size: number;
}

/** What identifies a dataset's context: the dataset, its bytes and its columns' names and types. */
export type CacheKey = Pick<Dataset, 'id' | 'sha256'> & { columns: { name: string; type: string; storage_type?: string }[] };

/** Builds an in-memory LRU `AskContextCache` of at most `max` datasets. */
export function askContextCache(max = MAX_DATASETS): AskContextCache {
  const entries = new Map<string, NlqColumn[]>();
  const key = (ds: CacheKey) => {
    const cols = createHash('sha256').update(JSON.stringify(ds.columns.map((c) => [c.name, c.type, c.storage_type ?? '']))).digest('hex').slice(0, 16);
    return `${ds.id}:${ds.sha256}:${cols}:v${READER_VERSION}`;
  };
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
