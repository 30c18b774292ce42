import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { ErrorBody } from './schemas.js';

/** One route's contract: what it takes and answers. The OpenAPI document is built from these. */
export interface RouteSpec {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  tag: string;
  auth: boolean;
  body?: z.ZodType;
  multipart?: Record<string, 'file' | 'string'>;
  query?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  produces?: string;
}

/**
 * Registers routes on a Koa router and remembers their specs for `/openapi.json`.
 * @example routes.add(router, { method: 'get', path: '/projects', ... }, async (ctx) => { ... })
 */
export class RouteRegistry {
  readonly specs: RouteSpec[] = [];
  add(router: Router, spec: RouteSpec, ...handlers: Middleware[]) {
    this.specs.push(spec);
    router[spec.method](spec.path, ...(handlers as never[]));
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
      summary: s.summary, tags: [s.tag], parameters: params,
      security: s.auth ? [{ bearer: [] }] : [],
      responses: {
        [String(s.status ?? 200)]: {
          description: 'OK',
          content: s.response ? { 'application/json': { schema: toJson(s.response) } } : { [s.produces ?? 'application/json']: {} },
        },
        default: { description: 'Error', content: { 'application/json': { schema: toJson(ErrorBody) } } },
      },
    };
    if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: toJson(s.body) } } };
    if (s.multipart) {
      op.requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: Object.fromEntries(
        Object.entries(s.multipart).map(([k, v]) => [k, v === 'file' ? { type: 'string', format: 'binary' } : { type: 'string' }])) } } } };
    }
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
