import { readFileSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { callApi, demoReady, serverInfo } from './server-info'

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
})
