import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { DomainError } from '../domain/errors/domain-error';
import { withChangeWriteErrors, withStorageErrors } from './mongo-errors';

const failingWith = (error: Error) => () => Promise.reject(error);
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (e: unknown) => (e instanceof DomainError ? e.code : (e as Error).name),
  );

describe('storage errors', () => {
  it('a lost connection during a change write leaves the outcome unknown, with the driver reason as cause', async () => {
    const lost = new MongoNetworkError('connection 12 to 127.0.0.1:27017 closed');
    const error = await withChangeWriteErrors(failingWith(lost)).catch((e: unknown) => e as DomainError & { cause?: unknown });
    expect(error.code).toBe('STORAGE_OUTCOME_UNKNOWN');
    expect(error.cause).toBe(lost);
  });

  it('no server to send a change to means nothing was sent', async () => {
    const noServer = new MongoServerSelectionError('Server selection timed out after 5000 ms', {} as never);
    expect(await codeOf(withChangeWriteErrors(failingWith(noServer)))).toBe('STORAGE_UNAVAILABLE');
  });

  it('a lost connection during a read is only unavailable', async () => {
    expect(await codeOf(withStorageErrors(failingWith(new MongoNetworkError('connection closed'))))).toBe('STORAGE_UNAVAILABLE');
  });

  it('a read the server stopped at its time limit (MaxTimeMSExpired) is a storage timeout, with the driver error as cause', async () => {
    const stopped = new MongoServerError({ message: 'operation exceeded time limit', code: 50, codeName: 'MaxTimeMSExpired' });
    const error = await withStorageErrors(failingWith(stopped)).catch((e: unknown) => e as DomainError & { cause?: unknown });
    expect(error.code).toBe('STORAGE_TIMEOUT');
    expect(error.cause).toBe(stopped);
  });

  it('a change write stopped at its time limit may have been done: its outcome is unknown', async () => {
    const stopped = new MongoServerError({ message: 'operation exceeded time limit', code: 50, codeName: 'MaxTimeMSExpired' });
    expect(await codeOf(withChangeWriteErrors(failingWith(stopped)))).toBe('STORAGE_OUTCOME_UNKNOWN');
  });

  it('other errors pass through unchanged', async () => {
    expect(await codeOf(withChangeWriteErrors(failingWith(new MongoServerError({ message: 'boom', code: 2 }))))).toBe('MongoServerError');
  });
});
