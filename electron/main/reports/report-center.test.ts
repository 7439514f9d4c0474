import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { userContext } from '../../../shared/domain/caller'
import { closedPort } from '../alerts/testing/receivers'
import { startTestSmtpServer, TEST_CA_PEM, type TestSmtpServer } from '../email/testing/smtp-server'
import { createTestCore, TEST_CALLER } from '../test-support'
import type { DeliveryFailure } from './report-center'
import { nextRunAfter, scheduledRange } from './schedule-time'

const LOGIN = { user: 'reports@example.com', pass: 'report secret' }
/** Monday 23 March 2026, 08:00 UTC = 09:00 in Berlin (CET); Berlin moves to CEST on Sunday 29 March. */
let clock = new Date('2026-03-23T07:00:00Z')
let core: ReturnType<typeof createTestCore>
let smtp: TestSmtpServer
const failures: DeliveryFailure[] = []

async function call<T>(channel: string, input: unknown, ctx = TEST_CALLER): Promise<T> {
  const env = await core.dispatch(channel, input, ctx)
  if (!env.ok) throw Object.assign(new Error(env.error.message), { code: env.error.code })
  return env.value as T
}

async function error(channel: string, input: unknown, ctx = TEST_CALLER): Promise<{ code: string; message: string }> {
  const env = await core.dispatch(channel, input, ctx)
  if (env.ok) throw new Error(`${channel} succeeded`)
  return env.error
}

beforeAll(async () => {
  core = createTestCore({ seedDemo: true, demo: { campaigns: 8, days: 60 }, now: () => clock })
  const done = await core.jobs.waitFor(core.startupJobId as number)
  expect(done.status).toBe('succeeded')
  smtp = await startTestSmtpServer({ security: 'starttls', login: LOGIN })
  core.services.reports.onDeliveryFailure((f) => failures.push(f))
}, 120_000)

afterAll(async () => {
  await smtp?.close()
  await core?.close()
})

const smtpSettings = (port: number) => ({
  host: 'localhost',
  port,
  security: 'starttls' as const,
  username: LOGIN.user,
  from: 'Marketing Engine <reports@example.com>',
  caPem: TEST_CA_PEM,
})

describe('schedule times (croner, in the schedule time zone)', () => {
  it('keeps 09:00 local across the spring DST change: 08:00 UTC before, 07:00 UTC after', () => {
    const s = { cadence: 'weekly' as const, weekday: 1, dayOfMonth: 1, time: '09:00', timeZone: 'Europe/Berlin' }
    const first = nextRunAfter(s, new Date('2026-03-20T00:00:00Z'))
    expect(first.toISOString()).toBe('2026-03-23T08:00:00.000Z')
    expect(nextRunAfter(s, first).toISOString()).toBe('2026-03-30T07:00:00.000Z')
    // Autumn: back to 08:00 UTC after 25 October.
    expect(nextRunAfter(s, new Date('2026-10-27T00:00:00Z')).toISOString()).toBe('2026-11-02T08:00:00.000Z')
  })

  it('monthly on a day of the month, and the reported period is the previous full week or month', () => {
    const s = { cadence: 'monthly' as const, weekday: 1, dayOfMonth: 2, time: '07:30', timeZone: 'America/New_York' }
    expect(nextRunAfter(s, new Date('2026-03-03T00:00:00Z')).toISOString()).toBe('2026-04-02T11:30:00.000Z')
    expect(scheduledRange('monthly', new Date('2026-04-02T11:30:00Z'), 'America/New_York')).toEqual({
      from: '2026-03-01',
      to: '2026-03-31',
    })
    // 23:30 UTC on Sunday is already Monday in Tokyo: the week before that Monday.
    expect(scheduledRange('weekly', new Date('2026-03-29T23:30:00Z'), 'Asia/Tokyo')).toEqual({
      from: '2026-03-23',
      to: '2026-03-29',
    })
  })
})

describe('reports module (real core, real SMTP server on loopback)', () => {
  it('saves, renames and deletes templates; a duplicate name is a conflict; a viewer may not save', async () => {
    const t = await call<{ id: number; name: string }>('reports:saveTemplate', {
      workspaceId: 1,
      name: 'Client summary',
      template: 'executive',
      options: { sections: ['kpis', 'commentary', 'trend'], paper: 'letter', commentary: 'Hello' },
    })
    const list = await call<{ builtIn: unknown[]; saved: { name: string; options: { sections: string[] } }[] }>(
      'reports:listTemplates',
      { workspaceId: 1 },
    )
    expect(list.builtIn).toHaveLength(5)
    expect(list.saved).toEqual([
      expect.objectContaining({
        name: 'Client summary',
        options: expect.objectContaining({ sections: ['kpis', 'commentary', 'trend'] }),
      }),
    ])
    await call('reports:saveTemplate', { workspaceId: 1, name: 'Other', template: 'weekly', options: {} })
    expect(
      await error('reports:saveTemplate', { workspaceId: 1, id: t.id, name: 'Other', template: 'weekly', options: {} }),
    ).toMatchObject({ code: 'CONFLICT' })
    const viewer = userContext('test', { id: 'vera', role: 'viewer' })
    expect(
      await error('reports:saveTemplate', { workspaceId: 1, name: 'X', template: 'weekly', options: {} }, viewer),
    ).toMatchObject({ code: 'FORBIDDEN' })
    expect(await call('reports:deleteTemplate', { workspaceId: 1, id: t.id })).toEqual({ deleted: true })
    expect((await call<{ saved: unknown[] }>('reports:listTemplates', { workspaceId: 1 })).saved).toHaveLength(1)
  })

  it('refuses a broken logo at upload with the reason and keeps the branding as it was', async () => {
    const png = readFileSync(join(import.meta.dirname, '../../../resources/icons/icon.png'))
    const ok = await call<{ branding: { companyName?: string; logoName: string | null } }>('reports:saveBranding', {
      workspaceId: 1,
      companyName: 'Acme Growth',
      primaryColor: '#123456',
      logo: { fileName: 'acme.png', base64: png.toString('base64') },
    })
    expect(ok.branding).toMatchObject({ companyName: 'Acme Growth', logoName: 'acme.png' })
    const broken = await error('reports:saveBranding', {
      workspaceId: 1,
      companyName: 'Changed',
      logo: { fileName: 'broken.png', base64: png.subarray(0, 60).toString('base64') },
    })
    expect(broken.code).toBe('VALIDATION')
    expect(broken.message).toMatch(/broken\.png/)
    const after = await call<{ branding: { companyName?: string; logoName: string | null } }>('reports:getSettings', {
      workspaceId: 1,
    })
    expect(after.branding).toMatchObject({ companyName: 'Acme Growth', logoName: 'acme.png' })
    expect(core.services.reports.branding(1).logoPath).toMatch(/logo-1-.*\.png$/)
  })

  it('a viewer generates a report: it lands in the history and its bytes read back as a PDF', async () => {
    const viewer = userContext('test', { id: 'vera', role: 'viewer' })
    const r = await call<{ historyId: number; pages: number; bytes: number; fileName: string }>(
      'reports:generate',
      { workspaceId: 1, template: 'weekly', range: { from: '2026-03-16', to: '2026-03-22' }, options: {} },
      viewer,
    )
    expect(r.pages).toBeGreaterThanOrEqual(2)
    const history = await call<{ id: number; requestedBy: string; fileExists: boolean; delivery: string }[]>(
      'reports:listHistory',
      { workspaceId: 1 },
    )
    expect(history[0]).toMatchObject({
      id: r.historyId,
      requestedBy: 'user:vera (test)',
      fileExists: true,
      delivery: 'not_sent',
    })
    const f = await call<{ base64: string; bytes: number; fileName: string }>('reports:getFile', {
      workspaceId: 1,
      id: r.historyId,
    })
    const pdf = Buffer.from(f.base64, 'base64')
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(f.bytes).toBe(r.bytes)
    expect(f.fileName).toBe(r.fileName)
    // Another workspace's caller cannot read it.
    const other = userContext('test', { id: 'o', workspaces: [99] })
    expect(await error('reports:getFile', { workspaceId: 1, id: r.historyId }, other)).toMatchObject({
      code: 'FORBIDDEN',
    })
    // "Open" hands the file in the reports folder to the system viewer (the desktop platform's openPath).
    const opened = await call<{ file: string }>('reports:openFile', { workspaceId: 1, id: r.historyId })
    expect(core.platform.openedPaths).toEqual([opened.file])
    expect(readFileSync(opened.file).equals(pdf)).toBe(true)
    expect(await error('reports:openFile', { workspaceId: 1, id: r.historyId }, other)).toMatchObject({
      code: 'FORBIDDEN',
    })
    // A host without a desktop (browser preview, CLI) says so instead of pretending.
    const openPath = core.platform.openPath
    delete core.platform.openPath
    try {
      expect(await error('reports:openFile', { workspaceId: 1, id: r.historyId })).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/desktop app only; download the PDF/),
      })
    } finally {
      core.platform.openPath = openPath
    }
  })

  it('a weekly schedule fires at 09:00 Berlin time across the DST change and arrives by email with the PDF intact', async () => {
    await call('reports:saveDelivery', { workspaceId: 1, smtp: smtpSettings(smtp.port), password: LOGIN.pass })
    const s = await call<{ id: number; nextRunAt: string }>('reports:saveSchedule', {
      workspaceId: 1,
      name: 'Monday summary',
      template: 'weekly',
      options: { commentary: 'Sent automatically.' },
      cadence: 'weekly',
      weekday: 1,
      time: '09:00',
      timeZone: 'Europe/Berlin',
      recipients: ['boss@example.com', 'client@example.org'],
    })
    expect(s.nextRunAt).toBe('2026-03-23T08:00:00.000Z')

    clock = new Date('2026-03-23T07:59:00Z')
    await core.services.reports.tick()
    expect(smtp.received).toBe(0)

    clock = new Date('2026-03-23T08:00:20Z')
    await core.services.reports.tick()
    const mail = await smtp.next()
    expect(mail.envelopeTo).toEqual(['boss@example.com', 'client@example.org'])
    expect(mail.subject).toBe('Weekly performance summary: Acme Growth, 2026-03-16 – 2026-03-22')
    expect(mail.attachments).toHaveLength(1)
    const [history] = await call<{ id: number; delivery: string; scheduleId: number; range: unknown }[]>(
      'reports:listHistory',
      { workspaceId: 1, scheduleId: s.id },
    )
    expect(history).toMatchObject({
      delivery: 'sent',
      scheduleId: s.id,
      range: { from: '2026-03-16', to: '2026-03-22' },
    })
    const file = await call<{ base64: string }>('reports:getFile', { workspaceId: 1, id: history!.id })
    expect(new Uint8Array(mail.attachments[0]!.content)).toEqual(new Uint8Array(Buffer.from(file.base64, 'base64')))
    expect(mail.attachments[0]!.contentType).toBe('application/pdf')

    // The next Monday 09:00 in Berlin is 07:00 UTC (summer time since Sunday).
    const [after] = await call<{ nextRunAt: string; lastRunAt: string }[]>('reports:listSchedules', { workspaceId: 1 })
    expect(after).toMatchObject({ nextRunAt: '2026-03-30T07:00:00.000Z', lastRunAt: '2026-03-23T08:00:20.000Z' })
    clock = new Date('2026-03-30T06:59:00Z')
    await core.services.reports.tick()
    expect(smtp.received).toBe(1)
    clock = new Date('2026-03-30T07:00:05Z')
    await core.services.reports.tick()
    const second = await smtp.next()
    expect(second.subject).toMatch(/2026-03-23 – 2026-03-29$/)
    // Ticking again in the same minute sends nothing twice.
    await core.services.reports.tick()
    expect(smtp.received).toBe(2)
  }, 60_000)

  it('a failed delivery is recorded with its reason and reported; re-send delivers it later', async () => {
    const down = await closedPort()
    await call('reports:saveDelivery', { workspaceId: 1, smtp: { ...smtpSettings(down), host: '127.0.0.1' } })
    const r = await call<{ historyId: number }>('reports:generate', {
      workspaceId: 1,
      template: 'executive',
      range: { from: '2026-03-16', to: '2026-03-22' },
      options: {},
    })
    const failed = await call<{ delivery: string; deliveryError: string }>('reports:resend', {
      workspaceId: 1,
      id: r.historyId,
      recipients: ['cfo@example.com'],
    })
    expect(failed.delivery).toBe('failed')
    expect(failed.deliveryError).toMatch(/connection refused/)
    expect(failures.at(-1)).toMatchObject({ workspaceId: 1, reportId: r.historyId, error: failed.deliveryError })
    // Raised as an alert with source 'report', linking to the history entry.
    expect(core.services.alerts.openByKey(1, `report:${r.historyId}`)).toMatchObject({
      source: 'report',
      severity: 'error',
      title: 'Report "Executive summary" was not delivered',
      link: `/reports?history=${r.historyId}`,
    })

    await call('reports:saveDelivery', { workspaceId: 1, smtp: smtpSettings(smtp.port) })
    const sent = await call<{ delivery: string; recipients: string[]; sentAt: string }>('reports:resend', {
      workspaceId: 1,
      id: r.historyId,
    })
    expect(sent).toMatchObject({ delivery: 'sent', recipients: ['cfo@example.com'] })
    const mail = await smtp.next()
    expect(mail.envelopeTo).toEqual(['cfo@example.com'])
    expect(mail.subject).toMatch(/^Executive summary: Acme Growth/)
    // The delivery clears the alert its failure raised.
    expect(core.services.alerts.openByKey(1, `report:${r.historyId}`)).toBeNull()
    expect(core.services.alerts.list({ source: ['report'], state: ['resolved'] })).toHaveLength(1)
  }, 60_000)

  it('retention removes old reports, rows and files', async () => {
    await call('reports:saveDelivery', { workspaceId: 1, retentionDays: 7 })
    const before = await call<{ id: number }[]>('reports:listHistory', { workspaceId: 1 })
    const oldest = core.services.reports.repo.getReport(1, before.at(-1)!.id)!
    expect(existsSync(oldest.file)).toBe(true)
    clock = new Date('2026-04-20T10:00:00Z')
    await call('reports:generate', {
      workspaceId: 1,
      template: 'weekly',
      range: { from: '2026-03-16', to: '2026-03-22' },
      options: {},
    })
    const after = await call<{ id: number }[]>('reports:listHistory', { workspaceId: 1 })
    expect(after).toHaveLength(1)
    expect(existsSync(oldest.file)).toBe(false)
  }, 60_000)
})
