// The app's one API client: the generated typed client (client/), with the signed-in token read on every request.
import { AssayApiError, AssayUnreachableError, createAssayClient, unwrap, type Answer, type components, type operations } from '../../client/index.js';

export { unwrap, type Answer, type components, type operations };

const TOKEN_KEY = 'assay_token';

/** The bearer token lives in sessionStorage: gone when the tab closes, never in a cookie or a URL. */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (t: string) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export const api = createAssayClient({ baseUrl: location.origin, token: session.token });

/** A sentence for the person: the API's own message when it sent one. */
export function messageOf(err: unknown): string {
  if (err instanceof AssayApiError || err instanceof AssayUnreachableError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** The `details` of an API error (empty for anything else): e.g. the `try` phrasings of a question it could not read. */
export const detailsOf = (err: unknown): Record<string, unknown> => (err instanceof AssayApiError ? err.details : {});

/** True when the API said the token is no longer good (expired, user deleted): the app signs out. */
export const isUnauthorized = (err: unknown) => err instanceof AssayApiError && err.status === 401;

export type RunStatus = Answer<'getRunStatus'>;
export type RunResult = Answer<'getRunResult'>;
export type Dataset = Answer<'getDataset'>;
export type User = Answer<'getCurrentUser'>;
export type AskAnswer = Answer<'askDataset'>;
export type RunOptions = NonNullable<operations['startRun']['requestBody']['content']['application/json']['options']>;

/** Where the Temporal Web UI shows a workflow (the API writes the address into index.html), or null. */
export function temporalLink(workflowId: string): string | null {
  const base = document.querySelector<HTMLMetaElement>('meta[name="assay-temporal-workflows"]')?.content;
  return base ? base + encodeURIComponent(workflowId) : null;
}
