import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { DataError } from '../analysis/errors.js';
import { requestIdOf } from './request-id.js';

export const ERROR_CODES = [
  'VALIDATION_ERROR', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE', 'UNPROCESSABLE_DATASET', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE', 'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415, UNPROCESSABLE_DATASET: 422, RATE_LIMITED: 429, SERVICE_UNAVAILABLE: 503, INTERNAL_ERROR: 500,
};

/**
 * An error the API answers with, in the shape of API.md: `{error: {code, message, details}}`.
 * @example throw new ApiError('NOT_FOUND', 'run not found')
 */
export class ApiError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly details: Record<string, unknown> = {}, readonly status = STATUS[code]) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} not found`);

/** Formats zod issues as "field: problem; field: problem". */
export const zodMessage = (err: ZodError) =>
  err.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');

/**
 * Koa middleware turning every thrown error into the API error shape, with the request's id so a user can
 * quote it; unknown errors are logged under that id, never shown.
 */
export function errorHandler(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new ApiError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
      // The router answers a known path with a wrong or unknown method bodily empty (405/501); say which methods work.
      if ((ctx.status === 405 || ctx.status === 501) && !ctx.body) {
        throw new ApiError('VALIDATION_ERROR', `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow') || 'none'}.`, {}, 405);
      }
    } catch (err) {
      let e: ApiError;
      if (err instanceof ApiError) e = err;
      else if (err instanceof ZodError) e = new ApiError('VALIDATION_ERROR', zodMessage(err), { issues: err.issues.map((i) => ({ path: i.path, message: i.message })) });
      else if (err instanceof DataError) e = new ApiError('UNPROCESSABLE_DATASET', err.message, { reason: err.code, ...err.details });
      else {
        const status = (err as { status?: number; httpCode?: number }).status ?? (err as { httpCode?: number }).httpCode;
        const message = err instanceof Error ? err.message : String(err);
        if (status === 413 || /maxFileSize|too large|exceeded/i.test(message)) e = new ApiError('PAYLOAD_TOO_LARGE', 'The request body is larger than this route accepts.');
        else if (status === 415) e = new ApiError('UNSUPPORTED_MEDIA_TYPE', message);
        else if (status && status >= 400 && status < 500) e = new ApiError('VALIDATION_ERROR', `Malformed request: ${message}`, {}, 400);
        else {
          logger.error({ err, path: ctx.path, request_id: requestIdOf(ctx) }, 'unhandled error');
          e = new ApiError('INTERNAL_ERROR', `Something went wrong on our side; the error was logged under request id ${requestIdOf(ctx)}.`);
        }
      }
      ctx.status = e.status;
      if (e.status === 429 && e.details.retry_after_s) ctx.set('Retry-After', String(e.details.retry_after_s));
      ctx.body = { error: { code: e.code, message: e.message, details: e.details, request_id: requestIdOf(ctx) } };
    }
  };
}
