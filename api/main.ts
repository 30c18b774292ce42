import { pino } from 'pino';
import { configOrExit, loadEnv, requireSharedDatabase } from '../config/env.js';
import { connectDb, migrateToLatest } from '../db/connect.js';
import { createStorage } from '../storage/create-storage.js';
import { startApi } from './start-api.js';

// `npm run api`: the API alone, for deployments where workers run elsewhere.
const env = configOrExit(() => { const e = loadEnv(); requireSharedDatabase(e, 'npm run api'); return e; });
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'assay-api' } });
const db = await connectDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
await migrateToLatest(db);
const api = await startApi(env, db, createStorage(env), logger);
logger.info(`API on http://localhost:${api.port} (docs at /docs)`);
const stop = async () => { await api.close(); await db.destroy(); process.exit(0); };
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
