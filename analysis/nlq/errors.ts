/** Why a question could not be answered: the reader did not follow it, a column it names does not exist, or the query form is invalid. */
export type NlqErrorKind = 'unreadable' | 'unknown_column' | 'invalid_query';

/**
 * A question the reader cannot answer, with a sentence for the user and what helps (`try`: phrasings it can
 * read; `near`: columns like the unknown word). The API answers it as a 422.
 * @example throw new NlqError('unknown_column', "No column is called 'salary'.", { column: 'salary', near: ['sales'] })
 */
export class NlqError extends Error {
  constructor(readonly kind: NlqErrorKind, message: string, readonly details: { try?: string[]; column?: string; near?: string[]; [k: string]: unknown } = {}) {
    super(message);
    this.name = 'NlqError';
  }
}
