import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { z } from 'zod';
import { ApiError } from './errors.js';
import { ErrorBody } from './schemas.js';

/** JSON bodies larger than this are refused unless a route allows more (`maxBodyKb`). */
export const DEFAULT_BODY_KB = 256;

/** One route's contract: what it takes and answers. The OpenAPI document is built from these. */
export interface RouteSpec {
  method: 'get' | 'post' | 'delete';
  path: string;
  /** camelCase verb + noun (`startRun`), unique across routes: what generated clients name the call. */
  operationId: string;
  summary: string;
  tag: string;
  auth: boolean;
  body?: z.ZodType;
  multipart?: Record<string, 'file' | 'string'>;
  query?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  produces?: string;
  /** Largest JSON body the route reads, in KB (default `DEFAULT_BODY_KB`). */
  maxBodyKb?: number;
}

/**
 * Reads a route's JSON body, after the router's auth (so no one parses a stranger's megabytes) and within
 * the route's limit. Multipart requests are left to the route's own upload handler.
 */
export function jsonBody(maxKb: number): Middleware {
  const parseJson = koaBody({ json: true, multipart: false, urlencoded: false, text: false, jsonLimit: `${maxKb}kb`, jsonStrict: true });
  return async (ctx, next) => {
    if (ctx.is('multipart')) return next();
    // Refused on the declared size before a byte is read.
    if (Number(ctx.get('content-length') || 0) > maxKb * 1024) throw tooLarge(maxKb);
    try {
      await parseJson(ctx, async () => {});
    } catch (err) {
      if ((err as { status?: number }).status === 413) throw tooLarge(maxKb);
      throw err;
    }
    return next();
  };
}
const tooLarge = (kb: number) => new ApiError('PAYLOAD_TOO_LARGE', `The JSON body is larger than this route accepts (${kb >= 1024 ? `${kb / 1024} MB` : `${kb} KB`}).`, { limit_bytes: kb * 1024 });

/**
 * Registers routes on a Koa router and remembers their specs for `/openapi.json`.
 * @example routes.add(router, { method: 'get', path: '/projects', ... }, async (ctx) => { ... })
 */
export class RouteRegistry {
  readonly specs: RouteSpec[] = [];
  add(router: Router, spec: RouteSpec, ...handlers: Middleware[]) {
    // A duplicate would make two generated client methods collide; refuse it when the app is built, not in a client.
    const twin = this.specs.find((s) => s.operationId === spec.operationId);
    if (twin) throw new Error(`operationId '${spec.operationId}' is used by ${twin.method.toUpperCase()} ${twin.path} and ${spec.method.toUpperCase()} ${spec.path}`);
    if (!/^[a-z][a-zA-Z0-9]*$/.test(spec.operationId)) throw new Error(`operationId '${spec.operationId}' (${spec.path}) is not camelCase`);
    this.specs.push(spec);
    const chain = spec.body ? [jsonBody(spec.maxBodyKb ?? DEFAULT_BODY_KB), ...handlers] : handlers;
    router[spec.method](spec.path, ...(chain as never[]));
  }
}

const toJson = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });

/** Builds the OpenAPI 3 document from the registered specs. */
export function openApiDocument(specs: RouteSpec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const s of specs) {
    const path = s.path.replace(/:(\w+)/g, '{$1}');
    const params = [...s.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }));
    if (s.query) {
      const q = toJson(s.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema } as never);
    }
    const op: Record<string, unknown> = {
      operationId: s.operationId, summary: s.summary, tags: [s.tag], parameters: params,
      security: s.auth ? [{ bearer: [] }] : [],
      responses: {
        [String(s.status ?? 200)]: {
          description: 'OK',
          content: s.response ? { 'application/json': { schema: toJson(s.response) } } : { [s.produces ?? 'application/json']: {} },
        },
        default: { description: 'Error', content: { 'application/json': { schema: toJson(ErrorBody) } } },
      },
    };
    // A route may take JSON or a multipart upload (predict: rows or a CSV file); both are documented.
    const content: Record<string, unknown> = {};
    if (s.body) content['application/json'] = { schema: toJson(s.body) };
    if (s.multipart) {
      content['multipart/form-data'] = { schema: { type: 'object', required: Object.keys(s.multipart).filter((k) => s.multipart![k] === 'file'), properties: Object.fromEntries(
        Object.entries(s.multipart).map(([k, v]) => [k, v === 'file' ? { type: 'string', format: 'binary' } : { type: 'string' }])) } };
    }
    if (Object.keys(content).length) op.requestBody = { required: true, content };
    (paths[path] ??= {})[s.method] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Assay API', version, description: 'Automated data analysis: EDA, clarification, cross-validated models and reports.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}

/** Parses with a zod schema, so a bad request becomes a 400 naming the field. */
export const parse = <T extends z.ZodType>(schema: T, value: unknown): z.infer<T> => schema.parse(value);
export const paramsOf = (ctx: Context) => (ctx as unknown as { params: Record<string, string> }).params;
