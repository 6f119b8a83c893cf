import { MongoServerError } from 'mongodb';
import { expect } from 'vitest';

/** The server's refusal of an operation; fails the test when the operation succeeds or fails otherwise. */
export async function serverError(p: Promise<unknown>): Promise<MongoServerError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MongoServerError);
    return err as MongoServerError;
  }
  throw new Error('expected the server to reject the operation');
}
