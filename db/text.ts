// PostgreSQL text and jsonb cannot hold NUL characters or unpaired UTF-16 surrogates; data from files can.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** True when PostgreSQL can store the string as text. */
export const isStorableText = (s: string) => !new RegExp(UNSTORABLE.source).test(s);

/** Replaces what PostgreSQL cannot store with U+FFFD, for text that comes from data rather than from a form. */
export const cleanText = (s: string) => s.replace(UNSTORABLE, '\uFFFD');

/**
 * Serialises a value for a jsonb column, cleaning every string in it (keys included).
 * @example db.insertInto('datasets').values({ columns: jsonb(manifest.columns), ... })
 */
export const jsonb = (value: unknown): string =>
  JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (typeof v === 'string') return cleanText(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [cleanText(k), x]));
    }
    return v;
  });

/** JSON with object keys sorted at every depth, so two values compare equal whatever order jsonb kept. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v));
