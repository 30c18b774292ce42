import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import pg from 'pg';
import { connectDb, migrateToLatest, type Db } from '../../db/connect.js';
import { FsStorage } from '../../storage/fs-storage.js';
import { S3Storage } from '../../storage/s3-storage.js';
import type { Storage } from '../../storage/storage.js';

/** A new, empty database on the suite's PostgreSQL cluster; returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const base = inject('databaseUrl');
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return base.replace(/\/[^/]+$/, `/${name}`);
}

/** A fresh, migrated database on each backend: PGlite in memory, or a new database on the test Postgres cluster. */
export const dbBackends: { name: string; open: () => Promise<Db> }[] = [
  { name: 'pglite', open: async () => { const db = await connectDb({ memory: true }); await migrateToLatest(db); return db; } },
  {
    name: 'postgres',
    open: async () => {
      const db = await connectDb({ databaseUrl: await createTestDatabase() });
      await migrateToLatest(db);
      return db;
    },
  },
];

/** Storage on each backend: a temp folder, or a unique prefix-free bucket view on SeaweedFS. */
export const storageBackends: { name: string; open: () => Storage }[] = [
  {
    name: 'filesystem',
    open: () => new FsStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-fs-')), 'test-secret', () => 'http://localhost:1'),
  },
  {
    name: 's3',
    open: () => {
      const s3 = inject('s3');
      return new S3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
    },
  },
];
