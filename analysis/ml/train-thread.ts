// Runs inside a worker thread: trains, streaming finished folds to the parent, then posts the result.
import { parentPort, workerData } from 'node:worker_threads';
import { DataError } from '../errors.js';
import { trainModels, type TrainOptions } from './train-models.js';
import type { ThreadMessage } from './train-in-thread.js';

const post = (m: ThreadMessage) => parentPort!.postMessage(m);
try {
  const result = await trainModels({ ...(workerData.options as TrainOptions), onFold: async (done, total) => post({ kind: 'fold', done, total }) });
  post({ kind: 'result', result });
} catch (err) {
  post({
    kind: 'error', message: err instanceof Error ? err.message : String(err),
    data: err instanceof DataError ? { code: err.code, details: err.details } : null,
  });
}
