// Starts the real servers the suite needs, once: a Temporal dev server, a PostgreSQL cluster and a SeaweedFS S3 store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, type Service } from '../../scripts/services/process.js';
import { startPostgres } from '../../scripts/services/postgres.js';
import { startSeaweedFs } from '../../scripts/services/seaweedfs.js';
import { startTemporalDevServer } from '../../scripts/services/temporal-dev-server.js';
import { buildWeb } from '../../scripts/build-web.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  }
}

const RUN_DIR = path.resolve('.test-run');

export default async function setup(project: TestProject) {
  const services: Service[] = [];
  const keep = <T extends Service>(s: T) => { services.push(s); return s; };
  try {
    const [temporal, pg, s3] = await Promise.all([
      freePort().then((port) => startTemporalDevServer({ port, logFile: path.join(RUN_DIR, 'temporal.log') })).then(keep),
      // Outside the checkout: as root, Postgres runs as `postgres`, which may not traverse the clone's folder.
      startPostgres(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-pg-'))).then(keep),
      startSeaweedFs(path.join(RUN_DIR, 's3'), 'assay-test').then(keep),
      buildWeb(), // the API serves the built app at / (skipped when its sources did not change)
    ]);
    project.provide('temporalAddress', temporal.address);
    project.provide('databaseUrl', pg.url);
    project.provide('s3', { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  } catch (err) {
    await Promise.all(services.map((s) => s.stop())); // leave nothing running behind a failed start
    throw err;
  }
  return async () => {
    await Promise.all(services.map((s) => s.stop()));
  };
}
