// `npm run admin:create -- --email ops@example.com [--name Ops]`: makes an admin account, or promotes an existing
// one. The password comes from ASSAY_ADMIN_PASSWORD or standard input (never the command line, which `ps` shows).
// With the embedded PGlite database, stop `npm start` first: PGlite serves one process at a time.
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { createAdmin } from '../api/admin-accounts.js';
import { configOrExit, loadEnv } from '../config/env.js';
import { connectDb, migrateToLatest } from '../db/connect.js';

const { values } = configOrExit(() => parseArgs({ options: { email: { type: 'string' }, name: { type: 'string', default: 'Admin' } }, strict: true }));
if (!values.email) {
  console.error('Usage: npm run admin:create -- --email ops@example.com [--name "Ops team"]  (password from ASSAY_ADMIN_PASSWORD or stdin)');
  process.exit(2);
}
const env = configOrExit(() => loadEnv());

async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) process.stderr.write('Password for a new account (Enter to only promote an existing one): ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  const line = text.split('\n')[0].replace(/\r$/, '');
  return line || undefined;
}

const password = process.env.ASSAY_ADMIN_PASSWORD || await readStdin();
const db = await connectDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  await migrateToLatest(db);
  const outcome = await createAdmin(db, { email: values.email, name: values.name!, password });
  console.log(outcome === 'created' ? `Created admin ${values.email}.` : `${values.email} is now an admin.`);
} catch (err) {
  console.error(err instanceof ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
