import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { callApi, demoReady, serverInfo } from './server-info'

async function openReports(page: Page, tab: 'generate' | 'schedules' | 'history' | 'branding'): Promise<void> {
  const u = new URL(serverInfo().url)
  await page.goto(`${u.origin}/?token=${u.searchParams.get('token')}#/reports`)
  await expect(page.getByTestId('page-reports')).toBeVisible()
  await page.getByTestId(`reports-tab-${tab}`).click()
}

function isoDaysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)
}

/** The wall-clock time in `timeZone` of an instant, as HH:MM, and its weekday (Mon = 1). */
function localTime(iso: string, timeZone: string): { time: string; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso))
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? ''
  return {
    time: `${get('hour')}:${get('minute')}`,
    weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1,
  }
}

test.describe('reports page', () => {
  let workspaceId = 0
  test.beforeAll(async () => {
    workspaceId = await demoReady()
  })

  test('generates the weekly report, previews its pages and downloads the PDF through the web host', async ({
    page,
  }) => {
    const u = new URL(serverInfo().url)
    await page.goto(`${u.origin}/?token=${u.searchParams.get('token')}#/reports`)
    await expect(page.getByTestId('page-reports')).toBeVisible()
    await expect(page.getByTestId('report-template')).toHaveValue('builtin:weekly')
    // Keyboard: the tabs move with the arrow keys.
    await page.getByTestId('reports-tab-generate').focus()
    await page.keyboard.press('ArrowRight')
    await expect(page.getByTestId('reports-tab-schedules')).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('ArrowLeft')
    await expect(page.getByTestId('reports-tab-generate')).toHaveAttribute('aria-selected', 'true')

    await page.getByTestId('report-generate').click()
    const preview = page.getByTestId('report-preview')
    await expect(preview).toBeVisible({ timeout: 60_000 })
    await expect
      .poll(async () => Number(await preview.getAttribute('data-pages')), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(2)
    await expect(preview.getByRole('img', { name: /Weekly performance summary, page 1 of/ })).toBeVisible()

    const downloading = page.waitForEvent('download')
    await page.getByTestId('report-download').click()
    const download = await downloading
    expect(download.suggestedFilename()).toMatch(/^weekly-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}-.*\.pdf$/)
    const bytes = readFileSync(await download.path())
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')

    // The same bytes the history holds.
    const [latest] = await callApi<{ id: number; bytes: number; template: string }[]>('reports:listHistory', {
      workspaceId,
      limit: 1,
    })
    expect(latest).toMatchObject({ template: 'weekly', bytes: bytes.length })

    await page.getByTestId('reports-tab-history').click()
    await expect(page.getByTestId('history-table')).toContainText('Weekly performance summary')
  })

  test('the PDF bytes are refused without the token', async () => {
    const u = new URL(serverInfo().url)
    const res = await fetch(`${u.origin}/api/reports:getFile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workspaceId, id: 1 }),
    })
    expect(res.status).toBe(401)
  })

  test('creates a weekly schedule in the form; a bad recipient is refused naming it; Send now reports why nothing was emailed', async ({
    page,
  }) => {
    await openReports(page, 'schedules')
    await page.getByTestId('schedule-new').click()
    const form = page.getByTestId('schedule-form')
    await form.getByLabel('Name', { exact: true }).fill('Monday summary for the boss')
    await form.getByLabel('Every').selectOption('weekly')
    await form.getByRole('combobox', { name: /^On\b/ }).selectOption({ label: 'Tuesday' })
    await form.getByLabel('At (local time)').fill('09:30')
    await form.getByLabel('Time zone').fill('Europe/Berlin')
    await page.getByTestId('schedule-recipients').fill('boss@example.com, not-an-address')
    await page.getByTestId('schedule-save').click()
    await expect(form.getByRole('alert')).toContainText(/not-an-address|email/i)
    expect(await callApi<unknown[]>('reports:listSchedules', { workspaceId })).toEqual([])

    await page.getByTestId('schedule-recipients').fill('boss@example.com, client@example.org')
    await page.getByTestId('schedule-save').click()
    await expect(form).toBeHidden()
    const table = page.getByTestId('schedules-table')
    await expect(table).toContainText('Monday summary for the boss')
    await expect(table).toContainText('Weekly performance summary')
    await expect(table).toContainText('boss@example.com, client@example.org')

    const [saved] = await callApi<
      {
        id: number
        name: string
        cadence: string
        time: string
        timeZone: string
        nextRunAt: string
        recipients: string[]
      }[]
    >('reports:listSchedules', { workspaceId })
    expect(saved).toMatchObject({
      name: 'Monday summary for the boss',
      cadence: 'weekly',
      time: '09:30',
      timeZone: 'Europe/Berlin',
      recipients: ['boss@example.com', 'client@example.org'],
    })
    // The next run is a Tuesday at 09:30 in Berlin, in the future.
    expect(localTime(saved!.nextRunAt, 'Europe/Berlin')).toEqual({ time: '09:30', weekday: 2 })
    expect(Date.parse(saved!.nextRunAt)).toBeGreaterThan(Date.now())

    // No email server is set up in this run: Send now generates the report and says why it was not sent.
    await page
      .getByRole('row', { name: /Monday summary for the boss/ })
      .getByRole('button', { name: 'Send now' })
      .click()
    await expect(page.getByTestId('schedule-notice')).toContainText(
      /was generated but not delivered: .*email server/i,
      {
        timeout: 60_000,
      },
    )
    const [latest] = await callApi<{ scheduleId: number | null; delivery: string }[]>('reports:listHistory', {
      workspaceId,
      limit: 1,
    })
    expect(latest).toMatchObject({ scheduleId: saved!.id, delivery: 'failed' })
    await callApi('reports:deleteSchedule', { workspaceId, id: saved!.id })
  })

  test('branding: a broken logo is refused at upload with a clear error and nothing changes; a good one is saved and printed', async ({
    page,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), 'me-e2e-logo-'))
    try {
      const broken = join(dir, 'broken-logo.png')
      writeFileSync(broken, Buffer.from('\x89PNG\r\n\x1a\n this is not an image', 'latin1'))
      const good = join(dir, 'acme.svg')
      writeFileSync(
        good,
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" rx="6" fill="#0a7"/></svg>',
      )
      await openReports(page, 'branding')
      const form = page.getByTestId('branding-form')
      await form.getByLabel('Company name (on the cover and in the header)').fill('Acme Retail')
      await form.getByLabel('Footer text').fill('Confidential · prepared for Acme')
      await page.getByTestId('branding-logo').setInputFiles(broken)
      await page.getByTestId('branding-save').click()
      await expect(form.getByRole('alert')).toContainText('The logo file broken-logo.png is')
      await expect(form.getByRole('alert')).toContainText(/PNG/)
      // Refused before anything was stored: neither the logo nor the other fields changed.
      const before = await callApi<{ branding: { companyName?: string; logoName: string | null } }>(
        'reports:getSettings',
        { workspaceId },
      )
      expect(before.branding.logoName).toBeNull()
      expect(before.branding.companyName).toBeUndefined()

      await page.getByTestId('branding-logo').setInputFiles(good)
      await page.getByTestId('branding-save').click()
      await expect(form.getByRole('status')).toContainText('Branding saved')
      await expect(form).toContainText('now: acme.svg')
      const after = await callApi<{ branding: { companyName?: string; footerText?: string; logoName: string | null } }>(
        'reports:getSettings',
        { workspaceId },
      )
      expect(after.branding).toMatchObject({
        companyName: 'Acme Retail',
        footerText: 'Confidential · prepared for Acme',
        logoName: 'acme.svg',
      })

      // The next report carries it.
      const r = await callApi<{ historyId: number }>('reports:generate', {
        workspaceId,
        template: 'executive',
        range: { from: isoDaysAgo(8), to: isoDaysAgo(2) },
        options: {},
      })
      const f = await callApi<{ base64: string }>('reports:getFile', { workspaceId, id: r.historyId })
      const pdf = join(dir, 'branded.pdf')
      writeFileSync(pdf, Buffer.from(f.base64, 'base64'))
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
      expect(text).toContain('ACME RETAIL')
      expect(text).toContain('Confidential · prepared for Acme')
      expect(text).toContain('Generated ')
    } finally {
      await callApi('reports:saveBranding', { workspaceId, companyName: '', footerText: '', logo: null })
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
