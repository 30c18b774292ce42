/** Codes for problems with the user's data; the job fails with these, non-retryably. */
export const DATA_ERROR_CODES = ['UNPROCESSABLE_DATASET', 'INVALID_TARGET', 'NO_USABLE_FEATURES', 'CORRUPT_ARTIFACT', 'INVALID_OPTIONS', 'QUOTA_EXCEEDED'] as const;
export type DataErrorCode = (typeof DATA_ERROR_CODES)[number];

/**
 * A problem with the data itself: retrying cannot help, and the message tells the user what to fix.
 * @example throw new DataError('UNPROCESSABLE_DATASET', 'The file has a header but no rows.')
 */
export class DataError extends Error {
  constructor(readonly code: DataErrorCode, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DataError';
  }
}
