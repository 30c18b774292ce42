import { AssayApiError, AssayUnreachableError } from '../client/index.js';

/** What `assay` exits with; scripts may rely on these (README, "The CLI"). */
export const EXIT = {
  ok: 0,
  /** The run ended failed or cancelled (`analyze --wait`), or was not completed when its result was asked for. */
  runFailed: 1,
  /** Bad arguments or options, an unreadable input file. */
  usage: 2,
  /** No token, or the API refused it (401/403). */
  auth: 3,
  /** No such run, model or dataset (404). */
  notFound: 4,
  /** The API could not be reached. */
  unreachable: 5,
  /** The API refused the request as asked (400, 409, 413, 415, 422, 429): the message says why. */
  refused: 6,
  /** The API failed (5xx). */
  serverError: 7,
  /** `analyze --wait` stopped at a clarification question it could not answer (no `--answer`, no terminal). */
  needsAnswer: 8,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports in one sentence and exits with a chosen code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: ExitCode, readonly details?: unknown) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code for anything a command threw. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof AssayUnreachableError) return EXIT.unreachable;
  if (err instanceof AssayApiError) {
    if (err.status === 401 || err.status === 403) return EXIT.auth;
    if (err.status === 404) return EXIT.notFound;
    if (err.status >= 500) return EXIT.serverError;
    return EXIT.refused;
  }
  return EXIT.serverError;
}
