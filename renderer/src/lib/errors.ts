import { ApiError } from '../api/client'

/** Shown for failures whose own text is not meant for people (a stack, a SQLite message, a JS TypeError). */
export const UNEXPECTED_PROBLEM =
  'Marketing Engine ran into an unexpected problem. Try again; if it keeps happening, restart the app.'

/**
 * A sentence for the UI from anything thrown. The core's deliberate errors (validation, not found,
 * platform refusals, an unreachable core) keep their words; an INTERNAL error or anything else
 * thrown carries text for developers, so it is logged and replaced by a plain sentence.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError && err.code !== 'INTERNAL') return err.message
  console.error(err)
  return UNEXPECTED_PROBLEM
}

interface Issue {
  path: (string | number)[]
  message: string
}

function isIssue(x: unknown): x is Issue {
  return (
    typeof x === 'object' &&
    x !== null &&
    'path' in x &&
    Array.isArray(x.path) &&
    'message' in x &&
    typeof x.message === 'string'
  )
}

/**
 * The core's VALIDATION errors may carry zod issues in `details` (an array, or `{ issues }`).
 * Returns the message for one field when there is one, else the error's own message.
 */
export function fieldError(err: unknown, field: string): string {
  if (err instanceof ApiError && err.code === 'VALIDATION') {
    const d = err.details
    const list: unknown[] = Array.isArray(d)
      ? d
      : typeof d === 'object' && d !== null && 'issues' in d && Array.isArray(d.issues)
        ? d.issues
        : []
    const hit = list.filter(isIssue).find((i) => i.path.includes(field))
    if (hit) return hit.message
  }
  return errorMessage(err)
}
