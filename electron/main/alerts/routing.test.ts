import { describe, expect, it } from 'vitest'
import {
  RoutingRuleSchema,
  type ChannelPolicy,
  type DeliveryRecord,
  type DeliveryResult,
} from '../../../shared/domain/alerts'
import {
  channelKeepsFailing,
  dedupeDecision,
  nextAttemptAt,
  planChannel,
  nextDigestAt,
  quietHold,
  quietHoursEnd,
  rateLimitFreeAt,
  recordAttempt,
  routeAlert,
  type Waiting,
} from './routing'
import { sampleAlert } from './testing/receivers'
import { computeTrayState } from './tray-state'

const at = (iso: string): Date => new Date(iso)
const rule = (r: object): ReturnType<typeof RoutingRuleSchema.parse> => RoutingRuleSchema.parse({ id: 1, ...r })

describe('routing rules', () => {
  it('routes by severity, source, workspace and account; unions the channels of every matching rule', () => {
    const rules = [
      rule({ id: 1, minSeverity: 'warning', channelIds: [1] }),
      rule({ id: 2, minSeverity: 'critical', channelIds: [2, 1] }),
      rule({ id: 3, minSeverity: 'info', sources: ['sync'], channelIds: [3] }),
      rule({ id: 4, minSeverity: 'info', workspaceIds: [2], channelIds: [4] }),
      rule({ id: 5, minSeverity: 'info', accountIds: [3], channelIds: [5] }),
      rule({ id: 6, minSeverity: 'info', enabled: false, channelIds: [6] }),
    ]
    const alert = sampleAlert()
    expect(routeAlert(alert, rules)).toEqual([1, 5])
    expect(routeAlert({ ...alert, severity: 'critical' }, rules)).toEqual([1, 2, 5])
    expect(routeAlert({ ...alert, severity: 'info', source: 'sync', entity: null }, rules)).toEqual([3])
    expect(routeAlert({ ...alert, severity: 'info', workspaceId: 2 }, rules)).toEqual([4, 5])
    expect(routeAlert({ ...alert, entity: { level: 'account', id: 3, name: 'A' } }, rules)).toEqual([1, 5])
    expect(routeAlert({ ...alert, severity: 'info', entity: null }, rules)).toEqual([])
  })
})

describe('quiet hours in the user time zone', () => {
  const qh = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin', criticalBreaksThrough: true }

  it('holds until the end of the window across midnight, in the zone, not UTC', () => {
    // 23:30 in Berlin (UTC+1 in December) is 22:30Z.
    expect(quietHoursEnd(at('2026-12-04T22:30:00Z'), qh)).toEqual(at('2026-12-05T06:00:00Z'))
    expect(quietHoursEnd(at('2026-12-05T05:59:00Z'), qh)).toEqual(at('2026-12-05T06:00:00Z'))
    expect(quietHoursEnd(at('2026-12-05T06:00:00Z'), qh)).toBeNull()
    expect(quietHoursEnd(at('2026-12-04T20:59:00Z'), qh)).toBeNull()
    expect(quietHoursEnd(at('2026-12-04T21:00:00Z'), qh)).toEqual(at('2026-12-05T06:00:00Z'))
    const day = { ...qh, start: '12:00', end: '14:00', timeZone: 'America/New_York' }
    expect(quietHoursEnd(at('2026-12-04T17:10:00Z'), day)).toEqual(at('2026-12-04T19:00:00Z'))
    expect(quietHoursEnd(at('2026-12-04T17:10:00Z'), { ...qh, start: '09:00', end: '09:00' })).toBeNull()
  })

  it('ends at the right instant across a DST change', () => {
    // Europe/Berlin goes to summer time on 2026-03-29 at 02:00 → 03:00 (UTC+1 → UTC+2).
    // Quiet from 22:00 (21:00Z on the 28th) to 07:00 local = 05:00Z on the 29th.
    expect(quietHoursEnd(at('2026-03-28T21:30:00Z'), qh)).toEqual(at('2026-03-29T05:00:00Z'))
    // Back to winter time on 2026-10-25 at 03:00 → 02:00: 07:00 local is 06:00Z.
    expect(quietHoursEnd(at('2026-10-24T21:30:00Z'), qh)).toEqual(at('2026-10-25T06:00:00Z'))
    // A window ending at a skipped wall time (02:30 on the spring-forward night) ends at 03:00 local.
    const gap = { ...qh, start: '01:00', end: '02:30' }
    expect(quietHoursEnd(at('2026-03-29T00:15:00Z'), gap)).toEqual(at('2026-03-29T01:00:00Z'))
  })

  it('CRITICAL breaks through when allowed', () => {
    const policy: ChannelPolicy = { quietHours: qh, rateLimit: null }
    const night = at('2026-12-04T23:00:00Z')
    expect(quietHold('warning', policy, night)).toEqual(at('2026-12-05T06:00:00Z'))
    expect(quietHold('critical', policy, night)).toBeNull()
    expect(quietHold('critical', { ...policy, quietHours: { ...qh, criticalBreaksThrough: false } }, night)).toEqual(
      at('2026-12-05T06:00:00Z'),
    )
    expect(quietHold('warning', { quietHours: null, rateLimit: null }, night)).toBeNull()
  })
})

describe('dedupe', () => {
  const existing = { id: 9, severity: 'warning' as const, lastRaisedAt: '2026-12-04T10:00:00Z', resolvedAt: null }
  it('the same key within the window folds into one alert; escalation notifies again', () => {
    expect(dedupeDecision(existing, 'warning', at('2026-12-04T11:00:00Z'), 3600_000 * 2)).toEqual({
      action: 'merge',
      id: 9,
      severity: 'warning',
      notify: false,
    })
    expect(dedupeDecision(existing, 'critical', at('2026-12-04T11:00:00Z'), 3600_000 * 2)).toEqual({
      action: 'merge',
      id: 9,
      severity: 'critical',
      notify: true,
    })
    expect(dedupeDecision(existing, 'info', at('2026-12-04T11:00:00Z'), 3600_000 * 2)).toMatchObject({
      severity: 'warning',
    })
  })
  it('outside the window, or after a resolve, it is a new alert', () => {
    expect(dedupeDecision(existing, 'warning', at('2026-12-04T12:00:00Z'), 3600_000 * 2)).toEqual({ action: 'new' })
    expect(
      dedupeDecision({ ...existing, resolvedAt: '2026-12-04T10:30:00Z' }, 'warning', at('2026-12-04T11:00:00Z')),
    ).toEqual({
      action: 'new',
    })
    expect(dedupeDecision(null, 'warning', at('2026-12-04T11:00:00Z'))).toEqual({ action: 'new' })
  })
})

describe('rate limit and digests', () => {
  const now = at('2026-12-04T12:00:00Z')
  const w = (alertId: number, severity: Waiting['severity'] = 'warning', extra: Partial<Waiting> = {}): Waiting => ({
    alertId,
    severity,
    raisedAt: `2026-12-04T11:${String(alertId).padStart(2, '0')}:00Z`,
    notBefore: null,
    held: false,
    ...extra,
  })
  const limit: ChannelPolicy = { quietHours: null, rateLimit: { max: 5, perMinutes: 60 } }

  it('counts sends in the sliding window and says when the channel frees up', () => {
    const sent = [at('2026-12-04T11:10:00Z'), at('2026-12-04T11:20:00Z'), at('2026-12-04T10:50:00Z')]
    expect(rateLimitFreeAt(sent, { max: 3, perMinutes: 60 }, now)).toEqual({ allowed: 1, freeAt: null })
    expect(rateLimitFreeAt(sent, { max: 2, perMinutes: 60 }, now)).toEqual({
      allowed: 0,
      freeAt: at('2026-12-04T12:10:00Z'),
    })
    expect(rateLimitFreeAt(sent, null, now).allowed).toBe(Number.POSITIVE_INFINITY)
  })

  it('a burst of 50 becomes 4 mails and one digest of the other 46, most severe first', () => {
    const waiting = Array.from({ length: 50 }, (_, i) => w(i + 1, i === 30 ? 'critical' : 'warning'))
    const plan = planChannel(waiting, [], limit, now)
    expect(plan.send).toHaveLength(5)
    expect(plan.send[0]).toEqual({ alertIds: [31], digest: false })
    expect(plan.send.slice(1, 4).map((m) => m.alertIds)).toEqual([[1], [2], [3]])
    expect(plan.send[4]!.digest).toBe(true)
    expect(plan.send[4]!.alertIds).toHaveLength(46)
    const all = plan.send.flatMap((m) => m.alertIds).sort((a, b) => a - b)
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
  })

  it('when the window is full everything waits, and wakes when it frees; held alerts then go as one digest', () => {
    const sent = Array.from({ length: 5 }, (_, i) => at(`2026-12-04T11:${10 + i}:00Z`))
    const held = planChannel([w(1), w(2)], sent, limit, now)
    expect(held).toEqual({ send: [], hold: [1, 2], wakeAt: at('2026-12-04T12:10:00Z') })
    const later = planChannel(
      [w(1, 'warning', { held: true }), w(2, 'error', { held: true }), w(3)],
      sent.slice(1),
      limit,
      at('2026-12-04T12:10:00Z'),
    )
    // One message allowed: the held digest and the fresh alert go together as one digest.
    expect(later.send).toEqual([{ alertIds: [2, 1, 3], digest: true }])
  })

  it('quiet hours: waits for its time, one digest for what waited overnight, a lone held alert goes alone', () => {
    const morning = at('2026-12-05T06:00:00Z')
    const night = planChannel([w(1, 'warning', { notBefore: morning })], [], { quietHours: null, rateLimit: null }, now)
    expect(night).toEqual({ send: [], hold: [1], wakeAt: morning })
    const out = planChannel(
      [w(1, 'warning', { notBefore: morning, held: true }), w(2, 'info', { notBefore: morning, held: true }), w(3)],
      [],
      { quietHours: null, rateLimit: null },
      morning,
    )
    expect(out.send).toEqual([
      { alertIds: [1, 2], digest: true },
      { alertIds: [3], digest: false },
    ])
    expect(
      planChannel([w(4, 'warning', { held: true })], [], { quietHours: null, rateLimit: null }, morning).send,
    ).toEqual([{ alertIds: [4], digest: false }])
  })
})

describe('retries with backoff', () => {
  const transient: DeliveryResult = {
    ok: false,
    latencyMs: 5,
    statusCode: 503,
    errorKind: 'transient',
    error: 'down',
    retryAfterMs: null,
  }
  const permanent: DeliveryResult = {
    ok: false,
    latencyMs: 5,
    statusCode: 404,
    errorKind: 'permanent',
    error: 'gone',
    retryAfterMs: null,
  }
  const first = at('2026-12-04T12:00:00Z')
  const mid = (): number => 0.5

  it('backs off exponentially with jitter, honours Retry-After, never retries permanent errors, stops after 24 h', () => {
    expect(nextAttemptAt(transient, 1, first, first, undefined, mid)).toEqual(at('2026-12-04T12:00:30Z'))
    expect(nextAttemptAt(transient, 3, first, first, undefined, mid)).toEqual(at('2026-12-04T12:02:00Z'))
    expect(nextAttemptAt(transient, 1, first, first, undefined, () => 0)).toEqual(at('2026-12-04T12:00:24Z'))
    expect(nextAttemptAt(transient, 20, first, first, undefined, mid)).toEqual(at('2026-12-04T13:00:00Z'))
    expect(nextAttemptAt({ ...transient, retryAfterMs: 600_000 }, 1, first, first, undefined, mid)).toEqual(
      at('2026-12-04T12:10:00Z'),
    )
    expect(nextAttemptAt(permanent, 1, first, first)).toBeNull()
    expect(nextAttemptAt(transient, 30, first, at('2026-12-05T11:30:00Z'), undefined, mid)).toBeNull()
  })

  it('a delivery record goes pending → delivered, or failed with the reason', () => {
    const rec: DeliveryRecord = {
      channelId: 1,
      channelKind: 'webhook',
      status: 'pending',
      messageId: 'alert-42',
      attempts: [],
      nextAttemptAt: null,
      deliveredAt: null,
      note: null,
    }
    const r1 = recordAttempt(rec, transient, first, undefined, mid)
    expect(r1).toMatchObject({ status: 'pending', nextAttemptAt: '2026-12-04T12:00:30.000Z', note: 'down' })
    expect(r1.attempts).toEqual([
      { at: first.toISOString(), ok: false, latencyMs: 5, statusCode: 503, errorKind: 'transient', error: 'down' },
    ])
    const r2 = recordAttempt(r1, { ok: true, latencyMs: 7, statusCode: 200, detail: 'ok' }, at('2026-12-04T12:00:30Z'))
    expect(r2).toMatchObject({
      status: 'delivered',
      deliveredAt: '2026-12-04T12:00:30.000Z',
      nextAttemptAt: null,
      note: null,
    })
    expect(r2.attempts).toHaveLength(2)
    expect(recordAttempt(rec, permanent, first)).toMatchObject({ status: 'failed', note: 'gone' })
    const late = recordAttempt(r1, transient, at('2026-12-05T12:00:01Z'), undefined, mid)
    expect(late).toMatchObject({ status: 'failed', note: 'Gave up after 2 attempts over 24 h: down' })
    expect(
      recordAttempt(rec, { ok: true, latencyMs: 0, statusCode: null, detail: 'off', skipped: true }, first),
    ).toMatchObject({
      status: 'skipped',
      note: 'off',
      deliveredAt: null,
    })
  })

  it('a channel that keeps failing is flagged', () => {
    const failed = (iso: string): Pick<DeliveryRecord, 'status' | 'attempts'> => ({
      status: 'failed',
      attempts: [{ at: iso, ok: false, latencyMs: 1, statusCode: 500, errorKind: 'transient', error: 'x' }],
    })
    const ok = (iso: string): Pick<DeliveryRecord, 'status' | 'attempts'> => ({
      status: 'delivered',
      attempts: [{ at: iso, ok: true, latencyMs: 1, statusCode: 200, errorKind: null, error: null }],
    })
    const now = at('2026-12-04T12:00:00Z')
    const opts = { consecutive: 3, horizonMs: 24 * 3600_000 }
    expect(
      channelKeepsFailing(
        [ok('2026-12-04T09:00:00Z'), failed('2026-12-04T10:00:00Z'), failed('2026-12-04T11:00:00Z')],
        now,
        opts,
      ),
    ).toBe(false)
    expect(
      channelKeepsFailing(
        [failed('2026-12-04T09:00:00Z'), failed('2026-12-04T10:00:00Z'), failed('2026-12-04T11:00:00Z')],
        now,
        opts,
      ),
    ).toBe(true)
    expect(
      channelKeepsFailing(
        [ok('2026-12-03T09:00:00Z'), { status: 'pending', attempts: failed('2026-12-04T11:00:00Z').attempts }],
        now,
        opts,
      ),
    ).toBe(true)
  })
})

describe('tray state', () => {
  it('badges unread WARNING+ alerts (not acknowledged, snoozed or resolved) and lists the newest', () => {
    const now = at('2026-12-04T12:00:00Z')
    const alerts = [
      sampleAlert({ id: 1, severity: 'info', title: 'info' }),
      sampleAlert({ id: 2, severity: 'warning', title: 'older warning', lastRaisedAt: '2026-12-04T08:00:00Z' }),
      sampleAlert({ id: 3, severity: 'critical', title: 'newest critical', lastRaisedAt: '2026-12-04T11:00:00Z' }),
      sampleAlert({ id: 4, severity: 'error', title: 'acked', acknowledgedAt: '2026-12-04T09:00:00Z' }),
      sampleAlert({ id: 5, severity: 'error', title: 'snoozed', snoozedUntil: '2026-12-04T13:00:00Z' }),
      sampleAlert({
        id: 6,
        severity: 'error',
        title: 'snooze over',
        snoozedUntil: '2026-12-04T11:59:00Z',
        lastRaisedAt: '2026-12-04T07:00:00Z',
      }),
      sampleAlert({ id: 7, severity: 'critical', title: 'resolved', resolvedAt: '2026-12-04T10:00:00Z' }),
    ]
    const s = computeTrayState(alerts, now)
    expect(s.count).toBe(3)
    expect(s.worst).toBe('critical')
    expect(s.latest.map((a) => a.id)).toEqual([3, 2, 6])
    expect(s.summary).toBe('3 unread alerts: newest critical')
    expect(computeTrayState([alerts[0]!], now)).toEqual({
      count: 0,
      worst: null,
      latest: [],
      summary: 'No unread alerts',
    })
  })
})

describe('daily digest', () => {
  it('the next digest is the local time in its zone, across DST; CRITICAL goes at once unless turned off', () => {
    const digest = { at: '08:00', timeZone: 'Europe/Berlin', criticalAtOnce: true }
    expect(nextDigestAt(new Date('2026-12-04T10:00:00Z'), digest).toISOString()).toBe('2026-12-05T07:00:00.000Z')
    expect(nextDigestAt(new Date('2026-12-04T06:59:00Z'), digest).toISOString()).toBe('2026-12-04T07:00:00.000Z')
    // Summer time starts on 29 March 2026: 08:00 is 06:00 UTC from then on.
    expect(nextDigestAt(new Date('2026-03-28T12:00:00Z'), digest).toISOString()).toBe('2026-03-29T06:00:00.000Z')
    const policy = { quietHours: null, rateLimit: null, dailyDigest: digest }
    const now = new Date('2026-12-04T10:00:00Z')
    expect(quietHold('warning', policy, now)?.toISOString()).toBe('2026-12-05T07:00:00.000Z')
    expect(quietHold('critical', policy, now)).toBeNull()
    expect(quietHold('critical', { ...policy, dailyDigest: { ...digest, criticalAtOnce: false } }, now)).not.toBeNull()
    // Quiet hours ending after the digest time hold it until they end.
    const quiet = { start: '22:00', end: '09:30', timeZone: 'Europe/Berlin', criticalBreaksThrough: true }
    expect(
      quietHold('warning', { ...policy, quietHours: quiet }, new Date('2026-12-04T23:00:00Z'))?.toISOString(),
    ).toBe('2026-12-05T08:30:00.000Z')
  })
})
