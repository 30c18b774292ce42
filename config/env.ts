import { z } from 'zod';
import path from 'node:path';
import { MIN_SECRET_LENGTH } from './secrets.js';
import type { ReportSettings } from '../analysis/report/settings.js';

const int = (def: number) => z.coerce.number().int().positive().default(def);
// An empty variable means unset, so compose files can pass `REPORT_PRIMARY: ${REPORT_PRIMARY:-}` through.
const optional = <T extends z.ZodType>(t: T) => z.preprocess((v) => (v === '' ? undefined : v), t.optional());
const color = optional(z.string().regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour like #1d4ed8'));

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).default(8080),
  PUBLIC_URL: z.string().optional(),
  DATA_DIR: z.string().default(path.resolve('data')),
  DATABASE_URL: z.string().optional(),
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  // Unset: the dev server's UI on TEMPORAL_UI_PORT.
  TEMPORAL_UI_URL: optional(z.string()),
  TASK_QUEUE_PREFIX: z.string().default(''),
  S3_BUCKET: z.string().optional(),
  S3_ENDPOINT: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: z.string().default('true'),
  // Unset: a random secret is made and kept under DATA_DIR (config/secrets.ts); production must set one.
  JWT_SECRET: optional(z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 48\`)`)),
  JWT_TTL_S: int(86_400),
  // Login and register throttling: per client IP (all attempts) and per account (failed logins), per window.
  AUTH_WINDOW_S: int(900),
  AUTH_MAX_PER_IP: int(50),
  LOGIN_MAX_FAILURES: int(10),
  // Behind a reverse proxy: trust its X-Forwarded-For (right-most hop only) for the client's address.
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  // Origins allowed to call the API from a browser (comma-separated, `*` for any); empty: CORS off.
  CORS_ORIGINS: z.string().default(''),
  MAX_UPLOAD_MB: z.coerce.number().positive().default(512),
  // Uploads are parsed in worker threads under these limits, so one file cannot stall or exhaust the API.
  UPLOAD_PARSE_TIMEOUT_S: int(60),
  UPLOAD_PARSE_HEAP_MB: int(1024),
  UPLOAD_PARSE_THREADS: int(2),
  /** How long an upload waits for the full read before answering from its first rows (status `reading`). */
  UPLOAD_WAIT_S: z.coerce.number().min(0).max(300).default(15),
  XLSX_MAX_INFLATED_MB: int(200),
  XLSX_MAX_CELLS: int(20_000_000),
  ALLOWED_EXTS: z.string().default('csv,tsv,tab,txt,json,ndjson,jsonl,parquet,xlsx,xls,ods'),
  MAX_ACTIVE_RUNS_PER_USER: int(3),
  // Bytes a user may hold (uploads + artifacts), in MB; 0 for no quota. Stored predictions expire after the days given.
  STORAGE_QUOTA_MB: z.coerce.number().int().min(0).default(10_240),
  PREDICTION_RETENTION_DAYS: int(30),
  DOWNLOAD_URL_TTL_S: int(3600),
  SSE_KEEPALIVE_S: int(15),
  INGEST_TIMEOUT_S: int(600),
  EDA_TIMEOUT_S: int(1800),
  MODEL_TIMEOUT_S: int(3600),
  REPORT_TIMEOUT_S: int(600),
  QA_TIMEOUT_S: int(300),
  CLARIFY_TIMEOUT_S: int(86_400),
  NEEDS_ATTENTION_TIMEOUT_S: int(7 * 86_400),
  HEARTBEAT_TIMEOUT_S: int(30),
  // POST /datasets/compare waits this long for the result before answering 202 (0: answer 202 at once).
  COMPARE_WAIT_S: z.coerce.number().int().min(0).default(30),
  // Start-to-close timeout of a comparison's activity (reading both datasets and comparing them).
  COMPARE_TIMEOUT_S: int(1800),
  ACTIVITY_MAX_ATTEMPTS: int(3),
  // Batch predict jobs: rows scored and stored per chunk (the unit a resumed attempt skips), the scoring activity's
  // start-to-close timeout, and how many rows (the first ones) get SHAP columns with `explain: true`.
  PREDICT_CHUNK_ROWS: int(50_000),
  PREDICT_TIMEOUT_S: int(3600),
  PREDICT_EXPLAIN_MAX_ROWS: int(10_000),
  LOG_LEVEL: z.string().default('info'),
  // Unset: /usr/bin/chromium if installed, else the Chromium inside the npm package @sparticuz/chromium.
  CHROMIUM_PATH: optional(z.string()),
  REPORT_PRIMARY: color,
  REPORT_ACCENT: color,
  REPORT_BG: color,
  REPORT_SURFACE: color,
  REPORT_TEXT: color,
  REPORT_MUTED: color,
  REPORT_OK: color,
  REPORT_WARN: color,
  REPORT_ERROR: color,
  // Inserted into CSS: letters, digits, spaces, commas, quotes and hyphens only, so it cannot close the rule.
  REPORT_FONT_FAMILY: optional(z.string().regex(/^[\w\s,"'-]+$/, 'may hold only font names, commas, quotes and spaces')),
  REPORT_LOGO_URL: optional(z.string()),
  REPORT_MAX_COLUMN_CARDS: int(50),
  // POST /datasets/:id/ask: the time one question's queries may take (in a parse thread), and an optional
  // OpenAI-compatible endpoint that turns questions the reader cannot read into the same validated query form.
  NLQ_TIMEOUT_S: int(20),
  /** Local copies of normalised tables kept between questions (POST /datasets/:id/ask), in MB; 0 keeps none. */
  TABLE_CACHE_MB: int(1024),
  NLQ_LLM_URL: optional(z.string().url()),
  NLQ_LLM_MODEL: z.string().default('gpt-4o-mini'),
  NLQ_LLM_KEY: optional(z.string()),
  NLQ_LLM_TIMEOUT_S: int(15),
});

export type Env = Omit<z.infer<typeof EnvSchema>, 'TEMPORAL_UI_URL'> & { TEMPORAL_UI_URL: string };

/**
 * Reads and validates configuration from the environment.
 * Throws with every bad variable named, and refuses the default secret in production.
 * @example const env = loadEnv(); env.PORT // 8080
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const env = { ...parsed.data, TEMPORAL_UI_URL: parsed.data.TEMPORAL_UI_URL ?? `http://localhost:${parsed.data.TEMPORAL_UI_PORT}` };
  // Several processes and replicas must share one secret, and a generated file is easy to lose in a container.
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
    throw new Error('Invalid configuration: JWT_SECRET must be set in production (e.g. `openssl rand -base64 48`).');
  }
  return env;
}

/**
 * PGlite is one process's database: running the API and workers as separate processes needs PostgreSQL.
 * @throws with the fix, when `DATABASE_URL` is missing
 */
export function requireSharedDatabase(env: Pick<Env, 'DATABASE_URL'>, role: string): void {
  if (!env.DATABASE_URL) {
    throw new Error(`Invalid configuration: ${role} on its own needs DATABASE_URL (PostgreSQL); the embedded PGlite database serves one process. Use \`npm start\` to run everything in one process.`);
  }
}

/** Task queue names, optionally prefixed so tests can isolate themselves on one server. */
export function taskQueues(env: Pick<Env, 'TASK_QUEUE_PREFIX'>) {
  return {
    analysis: `${env.TASK_QUEUE_PREFIX}assay-analysis`,
    modeling: `${env.TASK_QUEUE_PREFIX}assay-modeling`,
  };
}

/** For entry points: configuration problems print one line a person can act on, then exit 1. */
export function configOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

/** How this worker renders reports: Temporal UI link, Chromium for the PDF, brand theme and logo. */
export function reportSettings(env: Env): ReportSettings {
  return {
    temporalUiUrl: env.TEMPORAL_UI_URL, namespace: env.TEMPORAL_NAMESPACE, chromiumPath: env.CHROMIUM_PATH,
    theme: {
      primary: env.REPORT_PRIMARY, accent: env.REPORT_ACCENT, bg: env.REPORT_BG, surface: env.REPORT_SURFACE, text: env.REPORT_TEXT,
      muted: env.REPORT_MUTED, ok: env.REPORT_OK, warn: env.REPORT_WARN, error: env.REPORT_ERROR, fontFamily: env.REPORT_FONT_FAMILY,
    },
    logoUrl: env.REPORT_LOGO_URL, maxColumnCards: env.REPORT_MAX_COLUMN_CARDS,
  };
}
