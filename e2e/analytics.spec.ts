import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { callApi, demoReady, serverInfo, uiRange } from './server-info'
import { syntheticBreakdown, syntheticCampaignRows } from './synthetic-rows'
import type { RowWindowQuery } from '../shared/domain/row-window'

interface Row {
  id: string
  name: string
  kpis: Record<string, number | null>
  totals: { spendMicros: number }
}

/** Open the explorer with the core's campaign breakdown replaced by `n` synthetic rows (the real grid). */
async function openExplorerWith(page: Page, n: number): Promise<void> {
  const rows = syntheticCampaignRows(n)
  await page.route('**/api/analytics:getBreakdown', async (route) => {
    const input = route.request().postDataJSON() as { level?: string; range: unknown; window?: RowWindowQuery }
    if (input.level !== 'campaign') return route.continue()
    // Answered like the core: the window the grid asks for, filtered and sorted, with the total.
    return route.fulfill({ json: syntheticBreakdown(rows, input) })
  })
  const u = new URL(serverInfo().url)
  await page.goto(`${u.origin}${u.pathname}${u.search}#/campaigns`)
}

test.describe('analytics pages', () => {
  let workspaceId = 0
  test.beforeAll(async () => {
    workspaceId = await demoReady()
  })

  test('the dashboard tiles equal the core totals and the insights render', async ({ page }) => {
    await page.goto(serverInfo().url)
    await expect(page.getByTestId('kpi-spend')).not.toHaveAttribute('data-value', '')
    const range = await uiRange(page)
    const b = await callApi<{ rows: Row[] }>('analytics:getBreakdown', { workspaceId, range, level: 'workspace' })
    const spend = b.rows[0]?.kpis.spend as number
    await expect
      .poll(async () => Number(await page.getByTestId('kpi-spend').getAttribute('data-value')))
      .toBeCloseTo(spend, 4)
    await expect(page.getByTestId('dashboard-insights')).toBeVisible()
    await expect(page.getByTestId('top-campaigns')).toContainText('ROAS')
  })

  test('the explorer scrolls through 10,000 rows of the real grid', async ({ page }) => {
    await openExplorerWith(page, 10_000)
    const grid = page.getByTestId('explorer-grid')
    await expect(grid).toHaveAttribute('data-rows', '10000')
    // Virtualised: only a screenful of rows is in the DOM.
    expect(await page.getByTestId('explorer-row').count()).toBeLessThan(80)
    const scroller = page.getByTestId('explorer-scroll')
    await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
    await expect(page.locator('[data-testid="explorer-row"][data-index="9999"]')).toBeVisible()
    await expect(page.locator('[data-testid="explorer-row"][data-index="9999"]')).toContainText('Synthetic campaign')
    await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }))
    await expect(page.locator('[data-testid="explorer-row"][data-index="5000"]')).toBeAttached()
    // Sorting 10,000 rows by name keeps the grid responsive.
    await page.getByRole('columnheader', { name: /Name/ }).click()
    await scroller.evaluate((el) => el.scrollTo({ top: 0 }))
    await expect(page.locator('[data-testid="explorer-row"][data-index="0"]')).toContainText('Synthetic campaign 00001')
  })

  test('the explorer asks for the prediction badges of the rows it loaded, window by window', async ({ page }) => {
    const asked: number[][] = []
    // The conversions every badge forecasts: a retraining below changes it.
    let point = 3
    await page.route('**/api/ml:listEntityForecasts', async (route) => {
      const input = route.request().postDataJSON() as { entityType: 'campaign'; ids?: number[] }
      asked.push(input.ids ?? [])
      // A badge for each asked row (the answer holds the asked rows only).
      const value = (input.ids ?? []).map((id) => ({
        entityType: input.entityType,
        entityId: id,
        horizonDays: 14,
        currency: 'USD',
        dailySpendMicros: 1e6,
        conversions: { point, lower: point - 1, upper: point + 1 },
        revenueMicros: { point: 9e6, lower: 6e6, upper: 12e6 },
        createdAt: '2026-01-01T00:00:00.000Z',
        status: 'model',
      }))
      return route.fulfill({ json: { ok: true, value } })
    })
    await openExplorerWith(page, 10_000)
    await expect(page.getByTestId('explorer-grid')).toHaveAttribute('data-rows', '10000')
    await expect(page.getByTestId('explorer-row').first().getByTestId('prediction-badge')).toBeVisible()
    const scroller = page.getByTestId('explorer-scroll')
    await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }))
    const mid = page.locator('[data-testid="explorer-row"][data-index="5000"]')
    await expect(mid).toBeAttached()
    await expect(mid.getByTestId('prediction-badge')).toBeAttached()
    // Never the whole list: at most a window of ids per request.
    expect(asked.length).toBeGreaterThanOrEqual(2)
    expect(Math.max(...asked.map((ids) => ids.length))).toBeLessThanOrEqual(200)
    await expect(mid.getByTestId('prediction-badge')).toHaveText('14d ≈ 3 conv')

    // A retraining (the real core's: its data:changed for models and predictions reaches the page):
    // the rows of windows loaded earlier keep a badge, now the new model's.
    point = 7
    const { jobId } = await callApi<{ jobId: number }>('ml:train', { workspaceId, model: 'forecast' })
    await expect
      .poll(
        async () =>
          (await callApi<{ id: number; status: string }[]>('jobs:list', { limit: 200 })).find((j) => j.id === jobId)
            ?.status,
        { timeout: 120_000 },
      )
      .toBe('succeeded')
    await expect(page.getByTestId('explorer-row').first().getByTestId('prediction-badge')).toHaveText('14d ≈ 7 conv')
    await expect(mid.getByTestId('prediction-badge')).toHaveText('14d ≈ 7 conv')
  })

  test('drills from a campaign to its ad sets and ads, and opens the detail drawer', async ({ page }) => {
    await page.goto(serverInfo().url)
    await page.getByTestId('nav-campaigns').click()
    const first = page.getByTestId('explorer-row').first()
    await expect(first).toBeVisible()
    const campaignName = (await first.locator('.link').textContent()) as string
    await first.locator('.link').click()
    await expect(page.getByTestId('breadcrumbs')).toContainText(campaignName)
    await expect(page.getByTestId('breadcrumbs')).toContainText('Ad sets')
    await page.getByTestId('explorer-row').first().locator('.link').click()
    await expect(page.getByTestId('breadcrumbs')).toContainText('Ads')
    await expect(page.getByTestId('explorer-row').first()).toBeVisible()
    await page.getByTestId('row-details').first().click()
    await expect(page.getByTestId('entity-drawer')).toBeVisible()
    await expect(page.getByTestId('entity-drawer').locator('canvas').first()).toBeVisible()
    await page.keyboard.press('Escape')
    await page.getByTestId('breadcrumbs').getByRole('button', { name: 'All campaigns' }).click()
    await expect(page.getByTestId('breadcrumbs')).toHaveText(/All campaigns$/)
  })

  test('a CSV export holds exactly the rows shown', async ({ page }) => {
    await page.goto(serverInfo().url)
    await page.getByTestId('nav-campaigns').click()
    await expect(page.getByTestId('explorer-row').first()).toBeVisible()
    await page.getByTestId('explorer-search').fill('Search')
    // The core filters: wait until the grid shows the answer to the search.
    await expect(page.getByTestId('explorer-grid')).toHaveAttribute('data-query', /"query":"Search"/)
    const shown = Number((await page.getByTestId('explorer-grid').getAttribute('data-rows')) as string)
    expect(shown).toBeGreaterThan(0)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
    const text = readFileSync((await download.path()) as string, 'utf8')
    const lines = text.trim().split(/\r?\n/)
    expect(lines.length - 1).toBe(shown)
    expect(lines.slice(1).every((l) => l.includes('Search'))).toBe(true)
    // The exported spend equals the core's number for the same campaign.
    const range = await uiRange(page)
    const b = await callApi<{ rows: Row[] }>('analytics:getBreakdown', { workspaceId, range, level: 'campaign' })
    const firstId = lines[1]?.split(',')[0] as string
    const core = b.rows.find((r) => r.id === firstId)
    expect(core).toBeTruthy()
    const spendCol = (lines[0] as string).split(',').findIndex((h) => h.startsWith('Spend'))
    expect(Number(lines[1]?.split(',')[spendCol])).toBeCloseTo(core?.kpis.spend as number, 6)
  })

  test('anomalies and creatives pages render from the core', async ({ page }) => {
    await page.goto(serverInfo().url)
    await page.getByTestId('nav-anomalies').click()
    await expect(page.getByTestId('page-anomalies')).toBeVisible()
    await page.getByTestId('nav-creatives').click()
    await expect(page.getByTestId('creative-table')).toBeVisible()
  })

  test('the creatives grid lists every ad window by window, sorted and searched in the core', async ({ page }) => {
    await page.goto(serverInfo().url)
    await page.getByTestId('nav-creatives').click()
    const range = await uiRange(page)
    type List = { rows: { adId: number; name: string }[]; total: number }
    const ask = (offset: number, sort: string, dir: string, search = ''): Promise<List> =>
      callApi<List>('analytics:listCreatives', {
        workspaceId,
        range,
        window: { offset, limit: 100, sort, dir, search },
      })
    const bySpend = await ask(0, 'spend', 'desc')
    expect(bySpend.total).toBeGreaterThan(100)
    const grid = page.getByTestId('creative-table')
    await expect(grid).toHaveAttribute('data-rows', String(bySpend.total))
    await expect(page.getByTestId('creative-count')).toHaveText(`${bySpend.total.toLocaleString('en-US')} ads`)
    // Virtualised: a screenful of rows in the DOM; the last ad comes from a later window.
    expect(await page.getByTestId('creative-row').count()).toBeLessThan(60)
    const last = await ask(bySpend.total - 1, 'spend', 'desc')
    await page.getByTestId('creative-scroll').evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
    const lastRow = page.locator(`[data-testid="creative-row"][data-index="${bySpend.total - 1}"]`)
    await expect(lastRow).toHaveAttribute('data-id', String(last.rows[0]?.adId))
    // Sorted by CTR in the core: the first row is the core's first.
    await page.getByTestId('creative-sort-ctr').click()
    const byCtr = await ask(0, 'ctr', 'desc')
    await page.getByTestId('creative-scroll').evaluate((el) => el.scrollTo({ top: 0 }))
    await expect(page.locator('[data-testid="creative-row"][data-index="0"]')).toHaveAttribute(
      'data-id',
      String(byCtr.rows[0]?.adId),
    )
    // A search narrows the list to the ads named like it.
    const needle = (bySpend.rows[0]?.name ?? '').split(' ')[0] as string
    const found = await ask(0, 'ctr', 'desc', needle)
    await page.getByTestId('creative-search').fill(needle)
    await expect(grid).toHaveAttribute('data-rows', String(found.total))
    expect(found.total).toBeLessThan(bySpend.total)
  })
})
