import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Router from '@koa/router';
import { tableKeys } from '../../activities/dataset-table.js';
import type { TableManifest } from '../../analysis/ingest/read-table.js';
import { suggestInThread } from '../../analysis/pipeline/suggest-pool.js';
import type { TableSuggestions } from '../../analysis/pipeline/suggest-table.js';
import type { Dataset } from '../../db/schema.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { SuggestionsOut, SuggestionsQuery } from '../pipeline-schemas.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { IdParam } from '../schemas.js';
import { findDataset } from './datasets.js';

/** Bumped when the rules change, so cached suggestions made by older rules are made again. */
const SUGGEST_VERSION = 1;
/** Profiling may take this many times a file parse's limit (UPLOAD_PARSE_TIMEOUT_S): it reads every row many times. */
const PROFILE_TIME_FACTOR = 5;

/** Where a dataset's suggestions are cached: beside its upload, so they go when it is deleted. */
const cacheKey = (ds: Dataset, target: string | undefined) =>
  `datasets/${ds.user_id}/${ds.id}/suggestions-v${SUGGEST_VERSION}${target ? `-${createHash('sha256').update(target).digest('hex').slice(0, 16)}` : ''}.json`;

/** Loads in flight in this process: two requests for the same dataset share one profile. */
const inflight = new Map<string, Promise<TableSuggestions>>();

/** Profiles the dataset's normalised copy in a worker thread (never on the event loop) and caches the answer. */
async function computeSuggestions(deps: AppDeps, ds: Dataset, target: string | undefined): Promise<TableSuggestions> {
  const key = cacheKey(ds, target);
  if (await deps.storage.exists(key)) return JSON.parse((await deps.storage.get(key)).toString('utf8')) as TableSuggestions;
  const keys = tableKeys(ds, {});
  if (!(await deps.storage.exists(keys.manifest))) {
    throw new ApiError('CONFLICT', 'This dataset has no normalised copy yet (it was read by an older version of Assay); start a run on it, then ask again.', { dataset_id: ds.id });
  }
  const manifest = JSON.parse((await deps.storage.get(keys.manifest)).toString('utf8')) as TableManifest;
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'assay-suggest-'));
  try {
    const parquetPath = path.join(dir, 'data.parquet');
    await deps.storage.getToFile(keys.parquet, parquetPath);
    const limitS = deps.env.UPLOAD_PARSE_TIMEOUT_S * PROFILE_TIME_FACTOR;
    const out = await suggestInThread({ parquetPath, columns: manifest.columns, target }, {
      timeoutMs: limitS * 1000, heapMb: deps.env.UPLOAD_PARSE_HEAP_MB,
      errors: {
        busy: () => new ApiError('SERVICE_UNAVAILABLE', 'Another dataset is being profiled for suggestions; try again in a minute.'),
        timeout: (s) => new ApiError('SERVICE_UNAVAILABLE', `Profiling this dataset took longer than ${s} s (${PROFILE_TIME_FACTOR} × UPLOAD_PARSE_TIMEOUT_S); start a run on it instead, whose EDA has no such limit.`, { max_s: s }),
        heap: (mb) => new ApiError('PAYLOAD_TOO_LARGE', `Profiling this dataset needed more than ${mb} MB of memory (UPLOAD_PARSE_HEAP_MB); start a run on it instead.`, { max_mb: mb }),
      },
    });
    await deps.storage.put(key, JSON.stringify(out), 'application/json');
    return out;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export function suggestionRoutes(r: RouteRegistry, router: Router, deps: AppDeps) {
  r.add(router, { method: 'get', path: '/datasets/:id/suggestions', operationId: 'getSuggestions', tag: 'pipelines', auth: true, query: SuggestionsQuery, response: SuggestionsOut,
    summary: "Preprocessing steps proposed from the dataset's profile (each with a confidence and a reason quoting the figure), and run advice; `target` makes the advice about that column" },
  async (ctx) => {
    const { id } = parse(IdParam, paramsOf(ctx));
    const { target } = parse(SuggestionsQuery, ctx.query);
    const ds = await findDataset(deps, ctx, id);
    if (ds.status === 'reading') throw new ApiError('CONFLICT', 'The dataset is still being read; ask again in a moment.', { status: ds.status });
    if (ds.status === 'failed') throw new ApiError('UNPROCESSABLE_DATASET', ds.error ?? 'The dataset could not be read.');
    if (target && !ds.columns.some((c) => c.name === target)) throw new ApiError('VALIDATION_ERROR', `target: unknown column '${target}'`, { column: target }, 422);
    const flight = `${ds.id}\u0000${target ?? ''}`;
    let p = inflight.get(flight);
    if (!p) {
      p = computeSuggestions(deps, ds, target).finally(() => inflight.delete(flight));
      inflight.set(flight, p);
    }
    ctx.body = { dataset_id: ds.id, ...(await p) };
  });
}
