import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A logo larger than this is not inlined: the report has a size budget. */
export const MAX_LOGO_BYTES = 512 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml' };
const ALLOWED = new Set(Object.values(TYPES));

export type InlinedLogo = { dataUri: string; warning: null } | { dataUri: null; warning: string };

const fail = (why: string): InlinedLogo => ({ dataUri: null, warning: `The report logo was left out: ${why}` });

function toDataUri(bytes: Uint8Array, type: string, source: string): InlinedLogo {
  if (!ALLOWED.has(type)) return fail(`${source} is ${type || 'of unknown type'}; use PNG, JPEG, GIF, WebP or SVG.`);
  if (bytes.byteLength > MAX_LOGO_BYTES) return fail(`${source} is ${(bytes.byteLength / 1024).toFixed(0)} KB, above the ${MAX_LOGO_BYTES / 1024} KB limit.`);
  return { dataUri: `data:${type};base64,${Buffer.from(bytes).toString('base64')}`, warning: null };
}

/**
 * Reads the logo named by `REPORT_LOGO_URL` (an http(s) URL, a `file:` URL, a path or a `data:` URI) and
 * returns it as a data URI, so the report embeds it instead of linking it. An `<img>` never runs an SVG's
 * scripts, so SVG logos are safe to embed this way.
 * @returns the data URI, or a warning saying why there is no logo
 */
export async function inlineLogo(url: string): Promise<InlinedLogo> {
  try {
    if (url.startsWith('data:')) {
      const m = /^data:([\w.+/-]+);base64,([A-Za-z0-9+/=]+)$/.exec(url);
      return m ? toDataUri(Buffer.from(m[2], 'base64'), m[1], 'the data URI') : fail('the data URI is not base64-encoded.');
    }
    if (/^https?:\/\//i.test(url)) {
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
      if (!res.ok) return fail(`${url} answered ${res.status}.`);
      const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      return toDataUri(new Uint8Array(await res.arrayBuffer()), type, url);
    }
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    return toDataUri(await fs.readFile(file), TYPES[path.extname(file).toLowerCase()] ?? '', file);
  } catch (err) {
    return fail(`${url} could not be read (${err instanceof Error ? err.message : String(err)}).`);
  }
}
