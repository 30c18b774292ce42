// Runs inside a suggestions thread: the profile behind `GET /datasets/:id/suggestions`, off the API's event loop.
import { serveJobs } from '../threads/thread-pool.js';
import type { SuggestJobs } from './suggest-pool.js';
import { suggestForTable } from './suggest-table.js';

serveJobs<SuggestJobs>({ suggest: ({ parquetPath, columns, target }, signal) => suggestForTable(parquetPath, columns, { target, signal }) });
