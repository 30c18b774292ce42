import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { DataError } from '../../analysis/errors.js';
import { detectFormat, extensionOf } from '../../analysis/ingest/formats.js';
import type { Dataset } from '../../db/schema.js';
import { currentUser } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { parseTable } from '../parse-pool.js';
import { awaitDatasetRead, startDatasetRead, type ReadOutcome } from '../dataset-read.js';
import { estimateRows } from '../../analysis/ingest/estimate-rows.js';
import { assertWithinQuota } from '../storage-quota.js';
import { paramsOf, parse, type RouteRegistry } from '../route-registry.js';
import { afterCursor, decodeCursor, iso, pageOf, readerScope } from '../scope.js';
import { DatasetOut, IdParam, Page, PageQuery, PreviewOut, PreviewQuery, UploadOut } from '../schemas.js';
import { resolveProject } from './projects.js';
import { isStorableText, jsonb } from '../../db/text.js';
import { tablesPrefix } from '../../activities/dataset-table.js';

/** Rows read at upload to answer at once (names, first types, preview); the full read runs in a workflow. */
const SNIFF_ROWS = 10_000;

/** Keeps a display name safe: no path, no control characters, bounded length. */
export function sanitizeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'upload';
  const clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').trim().slice(0, 200);
  return clean || 'upload';
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function readHead(file: string, n = 8192): Promise<Uint8Array> {
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The dataset if the caller may see it, else 404 (another user's id looks exactly like a missing one). */
export async function findDataset(deps: AppDeps, ctx: Context, id: string, opts: { write?: boolean } = {}): Promise<Dataset> {
  const owner = readerScope(ctx, opts);
  let q = deps.db.selectFrom('datasets').selectAll().where('id', '=', id);
  if (owner) q = q.where('user_id', '=', owner);
  const ds = await q.executeTakeFirst();
  if (!ds) throw notFound('dataset');
  return ds;
}

const datasetOut = (d: Dataset) => ({
  id: d.id, project_id: d.project_id, name: d.name, filename: d.filename, format: d.format, size_bytes: Number(d.size_bytes),
  sha256: d.sha256, rows: Number(d.rows), cols: d.cols, columns: d.columns.map((c) => ({ name: c.name, type: c.type })), created_at: iso(d.created_at)!,
  status: d.status, rows_estimated: d.status === 'reading', error: d.error, notes: d.notes,
});

export function datasetRoutes(r: RouteRegistry, router: Router, deps: AppDeps, upload: Middleware) {
  const allowed = new Set(deps.env.ALLOWED_EXTS.split(',').map((e) => e.trim().toLowerCase().replace(/^\./, '')).filter(Boolean));

  r.add(router, { method: 'post', path: '/datasets/upload', operationId: 'uploadDataset', summary: 'Upload a table (CSV, TSV or other delimited text, JSON, NDJSON, Parquet, XLSX; optional sheet)', tag: 'datasets', auth: true,
    multipart: { file: 'file', project_id: 'string', sheet: 'string' }, response: UploadOut, status: 201 }, upload, async (ctx) => {
    const user = currentUser(ctx);
    const files = (ctx.request as unknown as { files?: Record<string, unknown> }).files ?? {};
    const raw = files.file;
    const file = (Array.isArray(raw) ? raw[0] : raw) as { filepath: string; originalFilename?: string | null; size: number } | undefined;
    let scratch: string | undefined;
    const cleanup = async () => {
      for (const f of Object.values(files).flat() as { filepath?: string }[]) if (f?.filepath) await fsp.rm(f.filepath, { force: true });
      if (scratch) await fsp.rm(scratch, { recursive: true, force: true });
    };
    try {
      if (!file) throw new ApiError('VALIDATION_ERROR', "file: send the table as multipart form field 'file'");
      const filename = sanitizeFilename(file.originalFilename ?? 'upload');
      const ext = extensionOf(filename);
      if (!allowed.has(ext)) {
        throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Files of type '.${ext || '(none)'}' are not accepted; allowed: ${[...allowed].join(', ')}.`);
      }
      const fields = (ctx.request.body ?? {}) as Record<string, unknown>;
      const projectIdRaw = typeof fields.project_id === 'string' && fields.project_id ? fields.project_id : undefined;
      if (projectIdRaw) parse(IdParam, { id: projectIdRaw });
      const projectId = await resolveProject(deps.db, user.id, projectIdRaw);
      await assertWithinQuota(deps.db, user.id, file.size, deps.env.STORAGE_QUOTA_MB); // before the parse: a full account costs nothing
      const format = detectFormat(filename, await readHead(file.filepath));
      const sheet = typeof fields.sheet === 'string' && fields.sheet ? fields.sheet : undefined;
      if (sheet !== undefined && (sheet.length > 200 || !isStorableText(sheet))) throw new ApiError('VALIDATION_ERROR', 'sheet: at most 200 characters of text');
      if (sheet !== undefined && !['xlsx', 'xls', 'ods'].includes(format)) throw new ApiError('VALIDATION_ERROR', 'sheet: only workbooks (XLSX, XLS, ODS) have sheets');
      // Only the first rows are read here, in a worker thread (a hostile file costs that thread, never the API's
      // event loop); the full read happens once, in the dataset's workflow on a worker.
      scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'assay-parse-'));
      const sniff = await parseTable(deps.env, { inputPath: file.filepath, format, sheet, tmpDir: scratch, limitRows: SNIFF_ROWS });
      const id = randomUUID();
      // The key comes from ids Assay made, never from the client's path.
      const key = `datasets/${user.id}/${id}/upload.${format === 'ndjson' ? 'ndjson' : format}`;
      const name = filename.replace(/\.[^.]+$/, '') || filename;
      await deps.storage.putFile(key, file.filepath, 'application/octet-stream');
      const forget = async () => { // no half-written record: neither the row nor the object stays
        await deps.db.deleteFrom('datasets').where('id', '=', id).execute();
        await deps.storage.delete(key);
      };
      try {
        await deps.db.insertInto('datasets').values({
          id, user_id: user.id, project_id: projectId, name, filename, format, storage_key: key, size_bytes: file.size,
          sha256: (file as { hash?: string | null }).hash ?? await sha256Of(file.filepath),
          rows: sniff.rows_partial ? await estimateRows(file.filepath, format, file.size, sniff.rows) : sniff.rows, cols: sniff.cols,
          columns: jsonb(sniff.columns), preview: jsonb(sniff.preview), sheet: sniff.source.sheet, status: 'reading', notes: jsonb(sniff.source.notes),
        }).execute();
      } catch (err) {
        await forget();
        throw err;
      }
      let outcome: ReadOutcome = { kind: 'pending' };
      try {
        await startDatasetRead(deps, id, user.id);
        outcome = await awaitDatasetRead(deps, id, deps.env.UPLOAD_WAIT_S * 1000);
      } catch (err) {
        // The file is kept: the read starts again with the first run on it.
        deps.logger.warn({ err, dataset_id: id }, 'could not start the dataset read; the first run will');
      }
      if (outcome.kind === 'bad_data' || outcome.kind === 'failed') {
        await forget();
        if (outcome.kind === 'bad_data') throw new ApiError('UNPROCESSABLE_DATASET', outcome.message);
        throw new ApiError('SERVICE_UNAVAILABLE', outcome.message);
      }
      const ds = await deps.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      ctx.status = 201;
      ctx.body = {
        dataset_id: id, name, status: ds.status, rows_estimated: ds.status === 'reading', rows: Number(ds.rows), cols: ds.cols,
        columns: ds.columns.map((c) => ({ name: c.name, type: c.type })), preview: ds.preview, notes: ds.notes,
        source: { format: sniff.source.format, encoding: sniff.source.encoding, delimiter: sniff.source.delimiter, header: sniff.source.header, sheet: sniff.source.sheet },
      };
    } catch (err) {
      if (err instanceof DataError) {
        deps.logger.info({ reason: err.code, cause: err.cause }, 'upload refused: unreadable file');
        throw new ApiError('UNPROCESSABLE_DATASET', err.message, { reason: err.code });
      }
      throw err;
    } finally {
      await cleanup();
    }
  });

  r.add(router, { method: 'get', path: '/datasets', operationId: 'listDatasets', summary: 'List datasets', tag: 'datasets', auth: true, query: PageQuery, response: Page(DatasetOut) },
    async (ctx) => {
      const q = parse(PageQuery, ctx.query);
      const owner = readerScope(ctx);
      let sel = deps.db.selectFrom('datasets').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1);
      if (owner) sel = sel.where('user_id', '=', owner);
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        sel = sel.where(afterCursor(c));
      }
      ctx.body = pageOf(await sel.execute(), q.limit, datasetOut);
    });

  r.add(router, { method: 'get', path: '/datasets/:id', operationId: 'getDataset', summary: 'One dataset with its column schema', tag: 'datasets', auth: true, response: DatasetOut },
    async (ctx) => {
      const { id } = parse(IdParam, paramsOf(ctx));
      ctx.body = datasetOut(await findDataset(deps, ctx, id));
    });

  r.add(router, { method: 'get', path: '/datasets/:id/preview', operationId: 'previewDataset', summary: 'The first rows', tag: 'datasets', auth: true, query: PreviewQuery, response: PreviewOut },
    async (ctx) => {
      const { id } = parse(IdParam, paramsOf(ctx));
      const { n } = parse(PreviewQuery, ctx.query);
      const ds = await findDataset(deps, ctx, id);
      if (n <= ds.preview.first_rows.length) {
        ctx.body = { columns: ds.preview.columns, first_rows: ds.preview.first_rows.slice(0, n) };
        return;
      }
      const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'assay-preview-'));
      try {
        const file = path.join(tmp, `upload.${ds.format}`);
        await deps.storage.getToFile(ds.storage_key, file);
        ctx.body = (await parseTable(deps.env, { inputPath: file, format: ds.format as never, previewRows: n, limitRows: n, sheet: ds.sheet ?? undefined, tmpDir: tmp })).preview;
      } finally {
        await fsp.rm(tmp, { recursive: true, force: true });
      }
    });

  r.add(router, { method: 'delete', path: '/datasets/:id', operationId: 'deleteDataset', summary: 'Delete a dataset and its upload', tag: 'datasets', auth: true, status: 204 },
    async (ctx) => {
      const { id } = parse(IdParam, paramsOf(ctx));
      const ds = await findDataset(deps, ctx, id, { write: true });
      await deps.db.deleteFrom('datasets').where('id', '=', ds.id).execute();
      await deps.storage.deletePrefix(`datasets/${ds.user_id}/${ds.id}/`);
      // The normalised copies are shared by the user's datasets with the same bytes: they go with the last one.
      const twin = await deps.db.selectFrom('datasets').select('id').where('user_id', '=', ds.user_id).where('sha256', '=', ds.sha256).executeTakeFirst();
      if (!twin) await deps.storage.deletePrefix(tablesPrefix(ds.user_id, ds.sha256));
      ctx.status = 204;
    });
}
