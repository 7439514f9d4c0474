/** Error codes that cross the IPC boundary. */
export const ERROR_CODES = [
  'VALIDATION',
  'UNKNOWN_CHANNEL',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'PLATFORM_ERROR',
  'CANCELLED',
  'INTERNAL',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface IpcError {
  code: ErrorCode
  message: string
  /** Optional machine-readable detail (e.g. zod issues with their paths). */
  details?: unknown
}

/** Every IPC answer: never a thrown object across the boundary. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcError }

/** An error a service throws on purpose; the router turns it into an envelope with its code. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly details?: unknown
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }
}

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value }
}

export function fail(code: ErrorCode, message: string, details?: unknown): Envelope<never> {
  return details === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, details } }
}
