import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<any>) {
    const now = sql`now()`;
    await db.schema.createTable('users')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .execute();
    await db.schema.createTable('projects')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .execute();
    await db.schema.createTable('datasets')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('storage_key', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('rows', 'bigint', (c) => c.notNull())
      .addColumn('cols', 'integer', (c) => c.notNull())
      .addColumn('columns', 'jsonb', (c) => c.notNull())
      .addColumn('preview', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .execute();
    await db.schema.createTable('runs')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      // Runs outlive a deleted dataset: their artifacts and models stay readable.
      .addColumn('dataset_id', 'uuid', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('options', 'jsonb', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('error', 'text')
      .addColumn('result_key', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .addColumn('finished_at', 'timestamptz')
      .addUniqueConstraint('runs_user_idempotency', ['user_id', 'idempotency_key'])
      .execute();
    await db.schema.createIndex('runs_user_created').on('runs').columns(['user_id', 'created_at']).execute();
    await db.schema.createTable('artifacts')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('user_id', 'uuid', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('storage_key', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .addUniqueConstraint('artifacts_run_filename', ['run_id', 'filename'])
      .execute();
    await db.schema.createTable('models')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('user_id', 'uuid', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('metrics', 'jsonb', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('storage_key', 'text', (c) => c.notNull())
      .addColumn('features', 'jsonb', (c) => c.notNull())
      .addColumn('importances', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .addUniqueConstraint('models_run_name', ['run_id', 'name'])
      .execute();
    await db.schema.createTable('logs')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('run_id', 'uuid')
      .addColumn('user_id', 'uuid')
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
      .execute();
    await db.schema.createIndex('logs_run').on('logs').columns(['run_id', 'id']).execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['logs', 'models', 'artifacts', 'runs', 'datasets', 'projects', 'users']) await db.schema.dropTable(t).execute();
  },
};

/** XLSX uploads remember which sheet was read, so every run of the dataset reads the same one. */
const datasetSheet: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('datasets').addColumn('sheet', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('datasets').dropColumn('sheet').execute();
  },
};

/** Counters for login and register throttling, shared by every API replica (api/throttle.ts). */
const authThrottle: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('auth_throttle')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .addColumn('window_start', 'timestamptz', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('auth_throttle').execute();
  },
};

/** Model versions unique per user and target by a constraint; versions made by `count(*) + 1` are renumbered first. */
const modelVersions: Migration = {
  async up(db: Kysely<any>) {
    await sql`update models set version = n.rn from (
      select id, row_number() over (partition by user_id, target order by created_at, id) as rn from models) n where models.id = n.id`.execute(db);
    await db.schema.alterTable('models').addUniqueConstraint('models_user_target_version', ['user_id', 'target', 'version']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('models').dropConstraint('models_user_target_version').execute();
  },
};

/**
 * A dataset's read state: the upload answers from a sniff of the first rows while the full read runs in a
 * workflow; `status` says whether the numbers are final. Rows from before are whole reads already.
 */
const datasetStatus: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('datasets')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('ready'))
      .addColumn('error', 'text')
      .addColumn('notes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('datasets').dropColumn('status').dropColumn('error').dropColumn('notes').execute();
  },
};

/**
 * Dataset comparisons: the read model of each `compareDatasets` workflow (listing, authorisation, where its
 * compare.json and report are). Numbered 0006: 0005 is taken by the datasets' status column.
 */
const compares: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('compares')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // Like runs, a comparison outlives its datasets: its result and report stay readable.
      .addColumn('dataset_a', 'uuid', (c) => c.notNull())
      .addColumn('dataset_b', 'uuid', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('error_code', 'text')
      .addColumn('result_key', 'text')
      .addColumn('report_key', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('finished_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('compares_user').on('compares').columns(['user_id', 'created_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('compares').execute();
  },
};

/**
 * Batch predict jobs: the read model of each `predictJob` workflow (listing, authorisation, progress, where its
 * predictions are). Numbered 0007.
 */
const predictJobs: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('predict_jobs')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // A job belongs to its model (deleting the run deletes both); like runs, it outlives its dataset.
      .addColumn('model_id', 'uuid', (c) => c.notNull().references('models.id').onDelete('cascade'))
      .addColumn('run_id', 'uuid', (c) => c.notNull())
      .addColumn('dataset_id', 'uuid', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('explain', 'boolean', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('chunk_rows', 'integer', (c) => c.notNull())
      .addColumn('rows_total', 'bigint')
      .addColumn('rows_done', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('explained_rows', 'bigint')
      .addColumn('resumed_from_row', 'bigint')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('artifact_id', 'uuid')
      .addColumn('error', 'text')
      .addColumn('error_code', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('finished_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('predict_jobs_user').on('predict_jobs').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('predict_jobs_model').on('predict_jobs').columns(['model_id', 'created_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('predict_jobs').execute();
  },
};

/**
 * Preprocessing pipelines (`pipelineRun` workflows) and dataset versions: a pipeline's output is a new dataset row
 * with `parent_id` (the dataset it was made from), `root_id` (the upload the lineage started from; null on the
 * upload itself) and `version` (1 for an upload). Numbered 0008: 0007 is another change's.
 */
const pipelines: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('datasets')
      .addColumn('parent_id', 'uuid')
      .addColumn('root_id', 'uuid')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('datasets_root').on('datasets').columns(['root_id', 'version']).execute();
    // One dataset per version number in a lineage: two pipelines finishing at once cannot both take the next one.
    await sql`create unique index datasets_lineage_version on datasets ((coalesce(root_id, id)), version)`.execute(db);
    await db.schema.createTable('pipelines')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
      // Like runs, a pipeline outlives its input dataset: its record and output stay readable.
      .addColumn('dataset_id', 'uuid', (c) => c.notNull())
      .addColumn('output_dataset_id', 'uuid', (c) => c.notNull())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('steps', 'jsonb', (c) => c.notNull())
      .addColumn('effects', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .addColumn('logs', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .addColumn('error', 'text')
      .addColumn('error_code', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('finished_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('pipelines_user').on('pipelines').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('pipelines_output').on('pipelines').columns(['output_dataset_id']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('pipelines').execute();
    await db.schema.alterTable('datasets').dropColumn('parent_id').dropColumn('root_id').dropColumn('version').execute();
  },
};

/** Migrations live in code so the bundle needs no migration folder at runtime. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return { '0001_initial': initial, '0002_dataset_sheet': datasetSheet, '0003_auth_throttle': authThrottle, '0004_model_versions': modelVersions,
      '0005_dataset_status': datasetStatus, '0006_compares': compares, '0007_predict_jobs': predictJobs, '0008_pipelines': pipelines };
  },
};
