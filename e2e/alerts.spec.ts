import { readFileSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { strFromU8, unzipSync } from 'fflate'
import { callApi, demoReady, serverInfo } from './server-info'

function pageUrl(hash: string): string {
  const u = new URL(serverInfo().url)
  return `${u.origin}/?token=${u.searchParams.get('token')}${hash}`
}

test.describe('alerts and diagnostics pages', () => {
  test.beforeAll(async () => {
    await demoReady()
  })

  test('the demo raises alerts; details show the numbers and history; acknowledge and bulk snooze', async ({
    page,
  }) => {
    // The demo build runs the alert sources (pacing, and anomalies: in the retail season against last year).
    await expect
      .poll(async () => (await callApi<unknown[]>('alerts:list', { limit: 10 })).length, { timeout: 60_000 })
      .toBeGreaterThan(0)
    const [first] = await callApi<{ id: number; title: string }[]>('alerts:list', { state: ['open'], limit: 1 })
    await page.goto(pageUrl('#/alerts'))
    await expect(page.getByTestId('page-alerts')).toBeVisible()
    const row = page.getByTestId(`alert-row-${first!.id}`)
    await expect(row).toContainText(first!.title)

    await page.getByTestId(`alert-toggle-${first!.id}`).click()
    const detail = page.getByTestId(`alert-detail-${first!.id}`)
    await expect(detail.getByTestId('alert-history')).toContainText('Raised')
    await detail.getByTestId(`alert-${first!.id}-ack`).click()
    await expect(page.getByTestId('alerts-notice')).toHaveText('Acknowledged 1 alert')
    await expect(row).toContainText('Acknowledged')

    // Keyboard: the severity filter is a toggle button.
    await page.getByTestId('filter-severity-critical').focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('filter-severity-critical')).toHaveAttribute('aria-pressed', 'true')
    await page.keyboard.press('Enter')

    await page.getByTestId('alerts-select-all').check()
    await page.getByTestId('bulk-snooze').selectOption('1h')
    await expect(page.getByTestId('alerts-notice')).toContainText(/Snoozed \d+ alerts? until/)
    const snoozed = await callApi<unknown[]>('alerts:list', { state: ['snoozed'] })
    expect(snoozed.length).toBeGreaterThan(0)
    // Snoozed alerts leave "Needs attention" and show under their own filter.
    await page.getByTestId('filter-state').selectOption('snoozed')
    await expect(page.getByTestId(`alert-row-${first!.id}`)).toContainText('Snoozed')
  })

  test('a webhook channel: the signing secret is shown once, "send a test" shows the real error', async ({ page }) => {
    await page.goto(pageUrl('#/alerts?tab=channels'))
    await page.getByTestId('channel-add').click()
    await page.getByTestId('channel-kind').selectOption('webhook')
    await page.getByTestId('channel-name').fill('Closed port')
    // Port 9 (discard) is closed on the test machine.
    await page.getByTestId('channel-url').fill('http://127.0.0.1:9/hook')
    await page.getByTestId('channel-save').click()
    await expect(page.getByTestId('created-secret')).toContainText('whsec_')
    const channels = await callApi<{ id: number; name: string; hasSecret: boolean }[]>('channels:list', {})
    const ch = channels.find((c) => c.name === 'Closed port')!
    expect(ch.hasSecret).toBe(true)
    // The list never shows the secret.
    await page.getByTestId('created-secret').getByRole('button').click()
    await expect(page.getByTestId(`channel-${ch.id}`)).not.toContainText('whsec_')

    await page.getByTestId(`channel-test-${ch.id}`).click()
    const result = page.getByTestId(`channel-${ch.id}`).getByTestId('channel-test-result')
    await expect(result).toHaveAttribute('data-ok', 'false')
    await expect(result).toContainText('127.0.0.1')

    // An invalid URL is refused with the field named.
    await page.getByTestId('channel-add').click()
    await page.getByTestId('channel-kind').selectOption('webhook')
    await page.getByTestId('channel-name').fill('Bad')
    await page.getByTestId('channel-url').fill('ftp://example.com/x')
    await page.getByTestId('channel-save').click()
    await expect(page.getByTestId('channel-form-error')).toContainText('url')
  })

  test('an email channel with a daily digest: the form saves it and the list says so', async ({ page }) => {
    await page.goto(pageUrl('#/alerts?tab=channels'))
    await page.getByTestId('channel-add').click()
    await page.getByTestId('channel-kind').selectOption('email')
    await page.getByTestId('channel-name').fill('Morning digest')
    await page.getByTestId('channel-host').fill('127.0.0.1')
    await page.getByTestId('channel-port').fill('2525')
    await page.getByTestId('channel-security').selectOption('none')
    await page.getByTestId('channel-from').fill('alerts@example.com')
    await page.getByTestId('channel-to').fill('team@example.com')
    await page.getByTestId('channel-digest').check()
    await page.getByTestId('channel-digest-at').fill('08:30')
    await page.screenshot({ path: 'test-results/e2e/channel-digest-form.png', fullPage: true })
    await page.getByTestId('channel-save').click()
    type Listed = { id: number; name: string; policy: { dailyDigest?: { at: string } | null } }[]
    await expect
      .poll(
        async () =>
          (await callApi<Listed>('channels:list', {})).find((c) => c.name === 'Morning digest')?.policy.dailyDigest?.at,
      )
      .toBe('08:30')
    const ch = (await callApi<Listed>('channels:list', {})).find((c) => c.name === 'Morning digest')!
    await expect(page.getByTestId(`channel-${ch.id}`)).toContainText('one digest a day at 08:30')
    await page.screenshot({ path: 'test-results/e2e/channel-digest-list.png', fullPage: true })
    await callApi('channels:remove', { id: ch.id })
  })

  test('diagnostics: health, database, log, and copy diagnostics', async ({ page }) => {
    await page.goto(pageUrl('#/diagnostics'))
    await expect(page.getByTestId('diag-summary')).toBeVisible()
    await expect(page.getByTestId('diag-db')).toContainText('MB')
    await expect(page.getByTestId('diag-accounts')).toContainText('Alder & Pine')
    await page.getByTestId('diag-integrity').click()
    // The row reads "Integrity" then the check's answer.
    await expect(page.getByTestId('diag-integrity-result')).toHaveText('Integrityok', { timeout: 60_000 })
    const downloading = page.waitForEvent('download')
    await page.getByTestId('diag-copy').click()
    const download = await downloading
    expect(download.suggestedFilename()).toMatch(/^marketing-engine-diagnostics-.*\.zip$/)
    // The zip opens and holds the report and the log.
    const zip = unzipSync(readFileSync((await download.path())!))
    expect(Object.keys(zip)).toEqual(expect.arrayContaining(['README.txt', 'diagnostics.json']))
    expect(Object.keys(zip).some((f) => f.startsWith('logs/main.'))).toBe(true)
    expect(JSON.parse(strFromU8(zip['diagnostics.json']!))).toMatchObject({ healthy: expect.any(Boolean) })
    await expect(page.getByTestId('diag-notice')).toContainText('.zip')
  })

  test('toasts: a window error becomes an ERROR alert toast that opens Diagnostics; a storm is grouped; Escape dismisses; the setting turns them off', async ({
    page,
  }) => {
    await page.goto(pageUrl('#/dashboard'))
    await expect(page.getByTestId('toasts')).toBeAttached()
    // The event stream is open once the workspace list has loaded.
    await expect(page.getByTestId('page-dashboard')).toBeVisible()
    const throwInPage = (message: string) =>
      page.evaluate((m) => {
        setTimeout(() => {
          throw new Error(m)
        }, 0)
      }, message)
    await throwInPage('e2e: the first window error')
    const toast = page.locator('.toast', { hasText: 'e2e: the first window error' })
    await expect(toast).toContainText('The window hit an error')
    await expect(toast).toContainText('ERROR')
    await page.screenshot({ path: 'test-results/e2e/toasts-one.png' })
    await toast.locator('.toast__main').click()
    await expect(page.getByTestId('page-diagnostics')).toBeVisible()
    await expect(toast).toHaveCount(0)
    // The alert is on the Alerts page as well, with its count.
    const alerts = await callApi<{ title: string; source: string; severity: string }[]>('alerts:list', {
      source: ['system'],
    })
    expect(alerts.some((a) => a.title === 'The window hit an error: Error: e2e: the first window error')).toBe(true)

    // Six different errors at once: three toasts and the rest in one "N more" (at least 3: the demo's
    // background work may raise alerts of its own meanwhile, which are grouped the same way).
    for (let i = 1; i <= 6; i++) await throwInPage(`e2e: storm error ${i}`)
    const more = page.getByTestId('toast-more')
    await expect(more).toContainText(/\d+ more new alerts/)
    await expect
      .poll(async () => Number(/(\d+) more/.exec((await more.textContent()) ?? '')?.[1] ?? 0))
      .toBeGreaterThanOrEqual(3)
    await expect(page.locator('.toast:not(.toast--more)')).toHaveCount(3)
    const stormed = await callApi<{ title: string }[]>('alerts:list', { limit: 200 })
    expect(stormed.filter((a) => /e2e: storm error [1-6]$/.test(a.title))).toHaveLength(6)
    await page.screenshot({ path: 'test-results/e2e/toasts-storm.png' })
    // Keyboard: focus a toast, Escape dismisses it and focus moves to the next one.
    await page.locator('.toast__main').first().focus()
    await page.keyboard.press('Escape')
    await expect(page.locator('.toast:not(.toast--more)')).toHaveCount(2)
    await expect(page.locator('.toast__main').first()).toBeFocused()
    // Focus moves to the next toast on the next frame: each Escape waits for it.
    await page.keyboard.press('Escape')
    await expect(page.locator('.toast:not(.toast--more)')).toHaveCount(1)
    await expect(page.locator('.toast__main').first()).toBeFocused()
    await page.keyboard.press('Escape')
    await expect(page.locator('.toast--more .toast__main')).toBeFocused()
    await page.keyboard.press('Escape')
    // This test's toasts are gone. The demo keeps working in the background (syncs, rules, checks
    // after earlier specs): an alert it raises meanwhile shows its own toast, not this test's to count.
    await expect(page.locator('.toast', { hasText: /e2e: storm error|more new alerts/ })).toHaveCount(0)

    // Settings › Desktop notifications off: the alert is still raised, no toast shows.
    await page.goto(pageUrl('#/settings'))
    const toggle = page.getByRole('switch', { name: 'Desktop notifications' })
    await expect(toggle).toBeChecked()
    await toggle.click()
    await expect(toggle).not.toBeChecked()
    await page.screenshot({ path: 'test-results/e2e/settings-notifications-off.png' })
    await throwInPage('e2e: an error while notifications are off')
    await expect
      .poll(async () =>
        (await callApi<{ title: string }[]>('alerts:list', { source: ['system'] })).some((a) =>
          a.title.includes('e2e: an error while notifications are off'),
        ),
      )
      .toBe(true)
    await expect(page.locator('.toast')).toHaveCount(0)
    await toggle.click()
    await expect(toggle).toBeChecked()
  })
})
