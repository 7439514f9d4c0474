import { expect, test } from '@playwright/test'
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
    // The demo build runs the alert sources (pacing, and anomalies outside the retail peaks).
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
    expect(download.suggestedFilename()).toMatch(/^marketing-engine-diagnostics-.*\.json$/)
    await expect(page.getByTestId('diag-notice')).toBeVisible()
  })
})
