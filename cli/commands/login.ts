import readline from 'node:readline/promises';
import { createAssayClient, unwrap } from '../../client/index.js';
import { credentialsPath, removeCredentials, writeCredentials } from '../credentials.js';
import type { GlobalOptions } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';

export interface LoginOptions { email?: string; password?: string; passwordStdin?: boolean }

/** Asks on the terminal; the password is not echoed. */
async function ask(question: string, secret = false): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(`${question.replace(/: $/, '')} is needed: pass it as an option (see \`assay login --help\`).`, EXIT.usage);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (secret) (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s) => { if (s.includes(question)) process.stderr.write(s); };
  try { return (await rl.question(question)).trim(); } finally { rl.close(); if (secret) process.stderr.write('\n'); }
}

const readStdin = async () => { let s = ''; for await (const c of process.stdin) s += c; return s.replace(/\r?\n$/, ''); };

/**
 * `assay login`: exchanges an email and password (or checks a given token) and stores the token for the address.
 * ASSAY_TOKEN/ASSAY_URL need no login at all.
 */
export async function login(o: LoginOptions, g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const url = (g.url ?? env.ASSAY_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  let token = g.token;
  let email = o.email;
  if (!token) {
    email ??= await ask('Email: ');
    const password = o.password ?? env.ASSAY_PASSWORD ?? (o.passwordStdin ? await readStdin() : await ask('Password: ', true));
    const anon = createAssayClient({ baseUrl: url });
    token = (await unwrap(anon.POST('/auth/login', { body: { email, password } }))).access_token;
  }
  // A pasted token is checked before it is kept.
  const me = await unwrap(createAssayClient({ baseUrl: url, token }).GET('/auth/me'));
  const file = writeCredentials({ url, token, email: me.email }, env);
  if (g.json) process.stdout.write(JSON.stringify({ url, user: me, credentials: file }, null, 2) + '\n');
  else process.stdout.write(`Logged in to ${url} as ${me.email}; the token is in ${file} (mode 600).\n`);
}

/** `assay logout`: forgets the stored token. */
export function logout(env: NodeJS.ProcessEnv = process.env): void {
  const had = removeCredentials(env);
  process.stdout.write(had ? `Removed ${credentialsPath(env)}.\n` : 'No stored login.\n');
}
