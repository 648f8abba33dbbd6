import { status } from '@grpc/grpc-js';

const isServiceError = (e: unknown): e is { code: number; details: string } =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number' && typeof (e as { details?: unknown }).details === 'string';

/** One line for the operator: the gRPC status by name and the service's message, never a stack. */
export function describeFailure(error: unknown): string {
  if (isServiceError(error)) return `${status[error.code] ?? error.code}: ${error.details}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
