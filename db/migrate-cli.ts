import { loadEnv } from '../config/env.js';
import { connectDb, migrateToLatest } from './connect.js';

const env = loadEnv();
const db = await connectDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
await migrateToLatest(db);
await db.destroy();
console.log('migrations applied');
