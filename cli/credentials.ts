import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CliError, EXIT } from './exit-codes.js';

/** Where `assay login` keeps the token: `$XDG_CONFIG_HOME/assay` or `~/.config/assay`, readable by the owner only. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'assay', 'credentials.json');
}

const Stored = z.object({ url: z.string().url(), token: z.string().min(1), email: z.string().optional() });
export type Credentials = z.infer<typeof Stored>;

const DEFAULT_URL = 'http://localhost:8080';

/** The stored credentials, or null when there are none (a damaged file is an error naming the file). */
export function readCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | null {
  const file = credentialsPath(env);
  if (!fs.existsSync(file)) return null;
  const parsed = Stored.safeParse((() => { try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return null; } })());
  if (!parsed.success) throw new CliError(`${file} is not a credentials file Assay wrote; run \`assay login\` again.`, EXIT.auth);
  return parsed.data;
}

/** Stores the credentials with mode 0600 (its folder 0700): the token is as good as a password until it expires. */
export function writeCredentials(c: Credentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = credentialsPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file); // whole or not at all
  fs.chmodSync(file, 0o600); // an older file may have had looser rights
  return file;
}

/** Forgets the stored token. @returns whether there was one */
export function removeCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  const file = credentialsPath(env);
  if (!fs.existsSync(file)) return false;
  fs.rmSync(file);
  return true;
}

/**
 * The API address and token a command uses: flags first, then ASSAY_URL / ASSAY_TOKEN, then the stored login.
 * The stored token is only used for the address it was issued by.
 */
export function resolveTarget(flags: { url?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): { url: string; token: string | undefined } {
  const stored = readCredentials(env);
  const url = (flags.url ?? env.ASSAY_URL ?? stored?.url ?? DEFAULT_URL).replace(/\/+$/, '');
  const token = flags.token ?? env.ASSAY_TOKEN ?? (stored && stored.url.replace(/\/+$/, '') === url ? stored.token : undefined);
  return { url, token };
}
