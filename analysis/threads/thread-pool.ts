import { parentPort, Worker } from 'node:worker_threads';
import { DataError, type DataErrorCode } from '../errors.js';
import { cleanMessage } from '../ingest/clean-message.js';
import { withCause } from '../ingest/read-errors.js';

/** Jobs a pool's threads run, by name: what goes in and what comes out (structured-cloneable both). */
export type JobMap = Record<string, { input: unknown; output: unknown }>;
/** What a thread does for each job; `signal` aborts when the parent gives up on it. */
export type JobHandlers<J extends JobMap> = { [K in keyof J]: (input: J[K]['input'], signal: AbortSignal) => Promise<J[K]['output']> };

type ToThread = { kind: 'run'; id: number; job: string; input: unknown } | { kind: 'cancel'; id: number };
type FromThread =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string; data: { code: DataErrorCode; details: Record<string, unknown> } | null; cause?: string }
  | { id: number; ok: 'cancelling' }
  | { id: -1; ok: 'ready' };

export interface PoolOptions {
  /** The thread's module (TypeScript is fine: threads start through tsx), which calls `serveJobs`. */
  entry: URL;
  /** Threads at most; further jobs wait their turn. */
  size: number;
  /** Wall-clock time one job may take before its thread is stopped. */
  timeoutMs: number;
  /** V8 heap one thread may use before it is stopped. */
  heapMb: number;
  /** An idle thread ends after this long (its memory goes back); default 60 s. */
  idleMs?: number;
  /** How long a thread busy in JavaScript may take to answer a cancel before it is terminated; default 2 s. */
  graceMs?: number;
  /** How long a job may wait for a thread before the caller gets a 503; default twice `timeoutMs`. */
  queueMs?: number;
  /** The errors callers get when a job cannot run or finish (the API's name its env limits and HTTP status). */
  errors?: Partial<PoolErrors>;
}

/** What a caller is told when the pool gives up on a job. */
export interface PoolErrors {
  /** Every thread stayed busy past `queueMs`. */
  busy: () => Error;
  /** The job ran past `timeoutMs` (seconds, rounded). */
  timeout: (seconds: number) => Error;
  /** The thread ran out of its `heapMb`. */
  heap: (mb: number) => Error;
}

const DEFAULT_ERRORS: PoolErrors = {
  busy: () => new Error('Every reader thread stayed busy; try again later.'),
  timeout: (s) => new DataError('UNPROCESSABLE_DATASET', `Reading the file took longer than ${s} s, the limit for one file; save it as CSV or split it.`, { max_s: s }),
  heap: (mb) => new DataError('UNPROCESSABLE_DATASET', `Reading the file needed more than ${mb} MB of memory, the limit for one file; save it as CSV or split it.`, { max_mb: mb }),
};

interface Slot { worker: Worker; ready: Promise<void>; error?: Error; idleTimer?: NodeJS.Timeout; onEnd?: (error?: Error) => void }

// Loader hooks are per thread: this boot file registers tsx, then imports the entry (as training threads do).
const BOOT = new URL('../ml/thread-boot.mjs', import.meta.url);

/**
 * A few worker threads that parse files off the API's event loop, one job per thread at a time, under a heap
 * cap and a wall-clock timeout. A job past its time is cancelled (its DuckDB query interrupted), then its thread
 * terminated and replaced; the caller gets a 422 naming the limit at once, a heap overflow a 413. A `DataError`
 * thrown in the thread reaches the caller as the same `DataError` (code, message, details; raw cause kept).
 * @example const pool = new ThreadPool<ParseJobs>({ entry, size: 2, timeoutMs: 60_000, heapMb: 1024 });
 * const manifest = await pool.run('table', { inputPath, format: 'csv' });
 */
export class ThreadPool<J extends JobMap> {
  private readonly idle: Slot[] = [];
  private readonly waiting: ((s: Slot) => void)[] = [];
  /** Threads whose job timed out while DuckDB ignores the interrupt: they end when it returns (see `stop`). */
  private stuck = 0;
  private live = 0;
  private nextId = 0;
  private closed = false;

  private readonly errors: PoolErrors;

  constructor(private readonly o: PoolOptions) {
    this.errors = { ...DEFAULT_ERRORS, ...o.errors };
  }

  /** Threads running or idle now, and those still finishing a timed-out job (for tests and metrics). */
  get threads(): { live: number; stuck: number } { return { live: this.live, stuck: this.stuck }; }

  /**
   * Runs one job in a thread, waiting for a free one when all are busy.
   * @throws the pool's `timeout` error past the timeout, `heap` past the heap cap, `busy` past the queue wait; the thread's DataError as is
   */
  async run<K extends keyof J & string>(job: K, input: J[K]['input'], signal?: AbortSignal): Promise<J[K]['output']> {
    signal?.throwIfAborted();
    if (this.closed) throw new Error('The parse pool is closed.');
    const slot = await this.acquire();
    try {
      await slot.ready; // the clock starts once the thread has loaded its code
    } catch (err) {
      throw new Error(`A parse thread failed to start: ${(err as Error).message}`);
    }
    return (await this.exec(slot, job, input, signal)) as J[K]['output'];
  }

  /** Ends every idle thread; busy ones end when their job does. For tests and shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    // Each thread's exit handler does the counting.
    await Promise.all(this.idle.splice(0).map((s) => { clearTimeout(s.idleTimer); return s.worker.terminate(); }));
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT, { workerData: { entry: this.o.entry.href }, resourceLimits: { maxOldGenerationSizeMb: this.o.heapMb } });
    worker.unref(); // an idle thread must not keep the process alive; a running job's timer does
    let booted: () => void = () => undefined, failed: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => { booted = resolve; failed = reject; });
    ready.catch(() => undefined);
    const slot: Slot = { worker, ready };
    worker.on('message', (m: FromThread) => { if (m.ok === 'ready') booted(); });
    worker.on('error', (err) => { slot.error = err; });
    worker.on('exit', () => {
      failed(slot.error ?? new Error('exited'));
      const i = this.idle.indexOf(slot);
      if (i >= 0) { this.idle.splice(i, 1); clearTimeout(slot.idleTimer); this.replace(); return; }
      if (slot.onEnd) slot.onEnd(slot.error);
      else this.replace();
    });
    return slot;
  }

  private acquire(): Promise<Slot> {
    const s = this.idle.pop();
    if (s) { clearTimeout(s.idleTimer); return Promise.resolve(s); }
    if (this.live < this.o.size) { this.live++; return Promise.resolve(this.spawn()); }
    return new Promise((resolve, reject) => {
      // A queue that never moves (every thread stuck) must answer, not hang the request.
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        reject(this.errors.busy());
      }, this.o.queueMs ?? 2 * this.o.timeoutMs);
      const take = (slot: Slot) => { clearTimeout(timer); resolve(slot); };
      this.waiting.push(take);
    });
  }

  private release(s: Slot): void {
    const next = this.waiting.shift();
    if (next) return next(s);
    if (this.closed) { void s.worker.terminate(); return; }
    s.idleTimer = setTimeout(() => void s.worker.terminate(), this.o.idleMs ?? 60_000).unref();
    this.idle.push(s);
  }

  /** A thread ended: its place goes to the next waiting job, with a fresh thread. */
  private replace(): void {
    this.live--;
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) { this.live++; next(this.spawn()); }
  }

  private exec(slot: Slot, job: string, input: unknown, signal?: AbortSignal): Promise<unknown> {
    const id = this.nextId++;
    if (signal?.aborted) { // given up while the thread started
      this.release(slot);
      return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('The job was cancelled.'));
    }
    return new Promise((resolve, reject) => {
      const done = () => { clearTimeout(timer); slot.worker.off('message', onMessage); slot.onEnd = undefined; signal?.removeEventListener('abort', onAbort); };
      // The caller gave up (an activity cancelled): the job is stopped like one past its time.
      const onAbort = () => {
        done();
        reject(signal!.reason instanceof Error ? signal!.reason : new Error('The job was cancelled.'));
        this.stop(slot, id);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const onMessage = (m: FromThread) => {
        if (m.id !== id || m.ok === 'cancelling' || m.ok === 'ready') return;
        done();
        if (m.ok) resolve(m.value); else reject(fromThread(m));
        this.release(slot);
      };
      slot.onEnd = (error) => {
        done();
        reject((error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? this.errors.heap(this.o.heapMb)
          : new Error(`A parse thread stopped unexpectedly${error ? `: ${error.message}` : ''}.`));
        this.replace();
      };
      const timer = setTimeout(() => {
        done();
        const s = Math.round(this.o.timeoutMs / 100) / 10;
        reject(this.errors.timeout(s));
        this.stop(slot, id);
      }, this.o.timeoutMs);
      slot.worker.on('message', onMessage);
      slot.worker.postMessage({ kind: 'run', id, job, input } satisfies ToThread);
    });
  }

  /**
   * Stops a thread whose job ran out of time. Terminating a thread while DuckDB works for it aborts the whole
   * process, so the job is cancelled first (its query interrupted) and the thread terminated once the job has
   * ended. A thread that does not even acknowledge the cancel is busy in JavaScript, where terminating is safe.
   */
  private stop(slot: Slot, id: number): void {
    let acknowledged = false;
    slot.onEnd = () => { if (acknowledged) this.stuck--; this.replace(); };
    const terminate = () => { clearTimeout(grace); slot.worker.off('message', onReply); void slot.worker.terminate(); };
    const onReply = (m: FromThread) => {
      if (m.id !== id) return;
      if (m.ok !== 'cancelling') return terminate();
      // DuckDB may ignore the interrupt (deep JSON did, for minutes): wait for it rather than crash.
      clearTimeout(grace);
      acknowledged = true;
      this.stuck++;
    };
    const grace = setTimeout(terminate, this.o.graceMs ?? 2000);
    slot.worker.on('message', onReply);
    slot.worker.postMessage({ kind: 'cancel', id } satisfies ToThread);
  }
}

/** The thread's error as the caller's: a DataError stays one (raw cause kept off the message), anything else is a plain Error. */
function fromThread(m: Extract<FromThread, { ok: false }>): Error {
  if (!m.data) return new Error(m.message);
  const err = new DataError(m.data.code, m.message, m.data.details);
  return m.cause === undefined ? err : withCause(err, m.cause);
}

/**
 * The thread side: answers `run` messages with the handler's result or error, and aborts a job's signal on
 * `cancel`. DataError messages pass `cleanMessage` on the way out, the last guard against leaked paths or SQL.
 * @example serveJobs<ParseJobs>({ table: (args, signal) => readTable({ ...args, signal }), ... });
 */
export function serveJobs<J extends JobMap>(handlers: JobHandlers<J>): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs inside a worker thread.');
  const running = new Map<number, AbortController>();
  const fail = (id: number, err: unknown): FromThread => (err instanceof DataError
    ? { id, ok: false, message: cleanMessage(err.message), data: { code: err.code, details: err.details }, cause: typeof err.cause === 'string' ? err.cause : undefined }
    : { id, ok: false, message: err instanceof Error ? err.message : String(err), data: null });
  port.postMessage({ id: -1, ok: 'ready' } satisfies FromThread);
  port.on('message', async (m: ToThread) => {
    if (m.kind === 'cancel') {
      const job = running.get(m.id);
      if (!job) return port.postMessage(fail(m.id, new Error('cancelled')));
      job.abort();
      port.postMessage({ id: m.id, ok: 'cancelling' } satisfies FromThread);
      return;
    }
    const ac = new AbortController();
    running.set(m.id, ac);
    try {
      port.postMessage({ id: m.id, ok: true, value: await handlers[m.job as keyof J](m.input, ac.signal) } satisfies FromThread);
    } catch (err) {
      port.postMessage(fail(m.id, err));
    } finally {
      running.delete(m.id);
    }
  });
}

