// The typed Assay client: openapi-fetch over the types `npm run client` generates from /openapi.json.
// Runs unchanged in browsers and Node ≥ 20 (fetch, FormData and Blob are globals in both); no Node imports here.
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };

/** The API's error body (`{error: {code, message, details, request_id}}`), as every route documents it. */
export type ErrorBody = operations['getRunStatus']['responses']['default']['content']['application/json'];
/** The API's error codes (API.md), plus what the client says when no error body came back. */
export type ErrorCode = ErrorBody['error']['code'] | 'UNEXPECTED_RESPONSE';

/** The JSON an operation answers with on success: `Answer<'getRunStatus'>` is the status body. */
export type Answer<Op extends keyof operations> = operations[Op]['responses'] extends infer R
  ? { [S in keyof R]: S extends 200 | 201 | 202 ? R[S] extends { content: { 'application/json': infer J } } ? J : never : never }[keyof R]
  : never;

/** A request the API answered with an error: the status and the API's error body, typed. */
export class AssayApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly requestId: string | undefined;
  constructor(status: number, body: unknown) {
    const e = isErrorBody(body) ? body.error : undefined;
    super(e?.message ?? `The API answered ${status} without an error body${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}.`);
    this.name = 'AssayApiError';
    this.status = status;
    this.code = e?.code ?? 'UNEXPECTED_RESPONSE';
    this.details = e?.details ?? {};
    this.requestId = e?.request_id;
  }
}

/** The API could not be reached at all (refused, DNS, TLS, reset): nothing was answered. */
export class AssayUnreachableError extends Error {
  constructor(readonly baseUrl: string, cause: unknown) {
    super(`Cannot reach the Assay API at ${baseUrl}: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`, { cause });
    this.name = 'AssayUnreachableError';
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
}

export interface AssayClientOptions {
  /** Where the API answers, e.g. `http://localhost:8080` (the web app passes its own origin). */
  baseUrl: string;
  /** The bearer token, or a function read on every request (so a sign-in takes effect without a new client). */
  token?: string | (() => string | undefined | null);
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: (input: Request) => Promise<Response>;
}

/** The typed client: `GET`, `POST`, `DELETE` on the API's paths, with bodies, params and answers typed per operation. */
export type AssayClient = Client<paths> & { readonly baseUrl: string };

/**
 * Makes a typed client. Calls answer `{data, error, response}` as openapi-fetch does; wrap one in `unwrap` to get the
 * data or a thrown `AssayApiError` / `AssayUnreachableError`.
 * @example
 * const api = createAssayClient({ baseUrl: 'http://localhost:8080', token });
 * const status = await unwrap(api.GET('/runs/{id}/status', { params: { path: { id } } }));
 */
export function createAssayClient(opts: AssayClientOptions): AssayClient {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const client = createClient<paths>({ baseUrl, fetch: opts.fetch });
  client.use({
    onRequest({ request }) {
      const token = typeof opts.token === 'function' ? opts.token() : opts.token;
      if (token && !request.headers.has('authorization')) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    onError({ error }) {
      // A caller's own abort stays an abort.
      if (error instanceof Error && error.name === 'AbortError') return error;
      // Thrown by fetch itself: no answer at all, which callers (the CLI's exit code 5) tell apart from an API error.
      return new AssayUnreachableError(baseUrl, error);
    },
  });
  return Object.assign(client, { baseUrl });
}

/**
 * The data of a successful call, or a thrown `AssayApiError` with the API's code, message and details.
 * @example const { items } = await unwrap(api.GET('/runs'));
 */
export async function unwrap<D, E>(call: Promise<{ data?: D; error?: E; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw new AssayApiError(response.status, error);
  return data as D;
}

/**
 * A multipart body for the upload routes (`/datasets/upload`, CSV `/models/{id}/predict`): pass as `bodySerializer`.
 * @example api.POST('/datasets/upload', { body: { file }, bodySerializer: toFormData })
 */
export function toFormData(body: object): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(body) as [string, unknown][]) {
    if (v === undefined || v === null) continue;
    if (v instanceof Blob) form.append(k, v, v instanceof File ? v.name : k);
    else form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return form;
}
