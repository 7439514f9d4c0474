import { describe, expect, it } from 'vitest'
import type { Change } from '../../../../shared/domain/changes'
import { changeOutcome } from './WriteBackDialog'

const base: Change = {
  id: 41,
  workspaceId: 1,
  accountId: 2,
  platform: 'meta',
  entityType: 'campaign',
  entityId: 9,
  externalId: 'c9',
  entityName: 'Spring sale',
  action: { kind: 'set_budget', dailyBudgetMicros: 150_000_000 },
  field: 'daily_budget',
  before: 120_000_000,
  requested: 150_000_000,
  state: 'applied',
  actor: { kind: 'user', id: 'ana', label: 'user:ana (desktop)' },
  reason: null,
  metrics: {},
  idempotencyKey: 'k',
  batchId: 'b',
  undoOf: null,
  undoneBy: null,
  attempts: 1,
  writes: 1,
  error: null,
  warnings: [],
  decidedBy: null,
  createdAt: '2026-06-15T12:00:00.000Z',
  updatedAt: '2026-06-15T12:00:01.000Z',
  appliedAt: '2026-06-15T12:00:01.000Z',
  nextAttemptAt: null,
}

describe('the write-back result', () => {
  it('says applied with the value read back, in the account currency', () => {
    expect(changeOutcome({ ...base, applied: 150_000_000 }, 'EUR')).toEqual({
      tone: 'ok',
      text: 'Applied on the platform: the daily budget read back as €150.00. Change #41 is in the audit log.',
    })
    expect(
      changeOutcome(
        { ...base, field: 'status', action: { kind: 'pause' }, requested: 'paused', applied: 'paused', writes: 0 },
        null,
      ).text,
    ).toBe(
      'Applied on the platform: the status read back as paused (it already had this value, so nothing was sent). Change #41 is in the audit log.',
    )
  })

  it("says failed with the platform's message", () => {
    expect(
      changeOutcome({ ...base, state: 'failed', error: 'Invalid parameter: this object has no daily budget' }, 'USD'),
    ).toEqual({
      tone: 'error',
      text: 'The platform did not apply change #41: Invalid parameter: this object has no daily budget',
    })
  })

  it('says waiting for approval, or still applying, with what was asked', () => {
    expect(changeOutcome({ ...base, state: 'proposed' }, 'USD')).toEqual({
      tone: 'pending',
      text: 'Change #41 (daily budget to $150.00) is waiting for approval; nothing has been sent yet.',
    })
    expect(changeOutcome({ ...base, state: 'applying', error: 'HTTP 503' }, 'USD').text).toBe(
      'Change #41 (daily budget to $150.00) is still being applied (last attempt: HTTP 503); the change log shows when it lands.',
    )
  })
})
