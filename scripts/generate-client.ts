// `npm run client`: regenerates client/schema.d.ts from the routes' zod schemas (no server needed).
import fs from 'node:fs';
import { CLIENT_SCHEMA_PATH, clientSchemaSource } from './client-schema.js';

const source = await clientSchemaSource();
const before = fs.existsSync(CLIENT_SCHEMA_PATH) ? fs.readFileSync(CLIENT_SCHEMA_PATH, 'utf8') : '';
fs.writeFileSync(CLIENT_SCHEMA_PATH, source);
console.log(`${CLIENT_SCHEMA_PATH}: ${before === source ? 'already current' : 'regenerated'} (${(source.length / 1024).toFixed(0)} KB)`);
