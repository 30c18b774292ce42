import { createAssayClient, type AssayClient } from '../client/index.js';
import { resolveTarget } from './credentials.js';
import { CliError, EXIT } from './exit-codes.js';

/** Options every command takes (commander's global options). */
export interface GlobalOptions { url?: string; token?: string; json?: boolean }

/** What a command works with: the typed client, how to print, where progress goes. */
export interface CommandContext {
  api: AssayClient;
  url: string;
  json: boolean;
  /** Prints the answer: JSON with `--json`, else the human text. */
  print(value: unknown, human: () => string): void;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/**
 * The context for a command: address and token from flags, env (ASSAY_URL, ASSAY_TOKEN) or `assay login`.
 * @param needsToken refuse at once (exit 3) when there is no token, instead of a 401 from the API
 */
export function commandContext(g: GlobalOptions, needsToken = true, env: NodeJS.ProcessEnv = process.env): CommandContext {
  const { url, token } = resolveTarget(g, env);
  if (needsToken && !token) throw new CliError(`Not logged in to ${url}: run \`assay login\`, or set ASSAY_TOKEN.`, EXIT.auth);
  return {
    api: createAssayClient({ baseUrl: url, token }), url, json: Boolean(g.json), env, stderr: process.stderr,
    print(value, human) { process.stdout.write(g.json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n'); },
  };
}

/** A plain text table: a header row and left-aligned columns. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
