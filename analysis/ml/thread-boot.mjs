// Worker-thread entry: loader hooks are per thread, so a TypeScript entry (running from the sources) registers
// the tsx loader here first; compiled JavaScript (dist/) runs as it is.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(workerData.entry);
