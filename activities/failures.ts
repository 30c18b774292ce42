import { ApplicationFailure } from '@temporalio/common';
import { DataError } from '../analysis/errors.js';

/** Converts a data problem into a non-retryable Temporal failure carrying its code and sentence. */
export function asFailure(err: unknown): unknown {
  if (err instanceof DataError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: [err.details] });
  }
  return err;
}

/** Runs an activity body, turning DataErrors into non-retryable failures. */
export async function dataErrorsAreFinal<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asFailure(err);
  }
}
