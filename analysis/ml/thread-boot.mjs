// Worker-thread entry: loader hooks are per thread, so register the TypeScript loader here, then run the job.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
