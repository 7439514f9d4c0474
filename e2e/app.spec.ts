import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { callApi, demoReady, serverInfo, uiRange } from './server-info'

interface Summary {
  kpis: Record<string, number | null>
  range: { from: string; to: string }
}

const KPIS = ['spend', 'revenue', 'roas', 'conversions', 'cpa', 'ctr', 'cpc', 'cpm'] as const
const NAV = [
  ['dashboard', 'Dashboard'],
  ['campaigns', 'Campaigns'],
  ['creatives', 'Creatives'],
  ['recommendations', 'Recommendations'],
  ['predictions', 'Predictions'],
  ['automation', 'Automation'],
  ['alerts', 'Alerts'],
  ['reports', 'Reports'],
  ['connections', 'Connections'],
  ['settings', 'Settings'],
] as const

async function expectTilesMatchCore(page: Page, workspaceId: number): Promise<Summary> {
  const range = await uiRange(page)
  const s = await callApi<Summary>('dashboard:getSummary', { workspaceId, range, compare: true })
  for (const k of KPIS) {
    const tile = page.getByTestId(`kpi-${k}`)
    const expected = s.kpis[k]
    if (expected === null || expected === undefined) await expect(tile).toHaveAttribute('data-value', '')
    else
      await expect
        .poll(async () => Number(await tile.getAttribute('data-value')), { message: `kpi ${k}` })
        .toBeCloseTo(expected, 6)
  }
  return s
}

test.describe('Marketing Engine in the browser preview', () => {
  let workspaceId = 0
  test.beforeAll(async () => {
    workspaceId = await demoReady()
  })

  test('loads the dashboard with the demo data', async ({ page }) => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(serverInfo().url)
    await expect(page.getByTestId('page-dashboard')).toBeVisible()
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible()
    await expect(page.getByTestId('kpi-spend')).not.toHaveAttribute('data-value', '')
    await expect(page.getByTestId('workspace-switcher')).toContainText('Demo')
    expect(errors).toEqual([])
  })

  test('every nav item opens its page', async ({ page }) => {
    await page.goto(serverInfo().url)
    for (const [id, title] of NAV) {
      await page.getByTestId(`nav-${id}`).click()
      await expect(page.getByTestId(`page-${id}`)).toBeVisible()
      await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
      await expect(page.getByTestId(`nav-${id}`)).toHaveAttribute('aria-current', 'page')
    }
  })

  test('Settings › Backups: the retention a user picks is saved and used by the core', async ({ page }) => {
    await page.goto(`${serverInfo().url}#/settings`)
    const panel = page.getByTestId('backups-panel')
    await expect(panel).toBeVisible()
    await page.getByTestId('backups-keep-daily').selectOption('14')
    await expect(panel).toContainText('the last 14 daily and 4 weekly are kept')
    await expect.poll(async () => (await callApi<{ keep: { daily: number } }>('backups:list', {})).keep.daily).toBe(14)
    const shots = join(import.meta.dirname, '..', 'test-results', 'screenshots')
    mkdirSync(shots, { recursive: true })
    await panel.screenshot({ path: join(shots, 'settings-backups.png') })
    await page.getByTestId('backups-keep-daily').selectOption('7')
    await expect(panel).toContainText('the last 7 daily and 4 weekly are kept')
  })

  test('the KPI tiles equal the core totals, and changing the date range changes them', async ({ page }) => {
    await page.goto(serverInfo().url)
    await expect(page.getByTestId('kpi-spend')).not.toHaveAttribute('data-value', '')
    const before = await expectTilesMatchCore(page, workspaceId)

    await page.getByTestId('date-range-trigger').click()
    await page.getByTestId('preset-last7').click()
    await expect.poll(async () => (await uiRange(page)).from).not.toBe(before.range.from)
    const after = await expectTilesMatchCore(page, workspaceId)
    expect(after.kpis.spend).not.toBe(before.kpis.spend)
    expect(after.range.to).toBe(before.range.to)

    const shots = join(import.meta.dirname, '..', 'test-results', 'screenshots')
    mkdirSync(shots, { recursive: true })
    await page.getByTestId('date-range-trigger').click()
    await page.getByTestId('preset-last30').click()
    await expectTilesMatchCore(page, workspaceId)
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true })
  })

  test('the nav is keyboard reachable', async ({ page }) => {
    await page.goto(serverInfo().url)
    await expect(page.getByTestId('page-dashboard')).toBeVisible()
    await page.getByTestId('nav-settings').focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('page-settings')).toBeVisible()
  })
})

test.describe('write-back from the explorer', () => {
  test.beforeAll(async () => {
    await demoReady()
  })

  test('pauses a campaign on the (simulated) platform after confirmation, and the explorer shows it paused', async ({
    page,
  }) => {
    await page.goto(serverInfo().url)
    await page.getByTestId('nav-campaigns').click()
    const grid = page.getByTestId('explorer-grid')
    await expect(grid).toBeVisible()
    const firstDetails = grid.getByRole('button', { name: /^Details of / }).first()
    const label = (await firstDetails.getAttribute('aria-label')) as string
    const name = label.replace(/^Details of /, '')
    await firstDetails.click()
    const drawer = page.getByTestId('entity-drawer')
    await expect(drawer).toBeVisible()
    await drawer.getByTestId('writeback-status').click()
    const dialog = page.getByRole('dialog').filter({ hasText: 'on the ad platform?' })
    await expect(dialog).toContainText(name)
    await dialog.getByRole('button', { name: 'Confirm change' }).click()
    await expect(drawer.getByRole('status')).toContainText('Applied on the platform')
    await page.getByRole('button', { name: 'Close details' }).click()
    const row = grid
      .getByRole('row')
      .filter({ has: page.getByRole('button', { name: `Details of ${name}`, exact: true }) })
    await expect(row).toContainText('paused')
    const shots = join(import.meta.dirname, '..', 'test-results', 'screenshots')
    mkdirSync(shots, { recursive: true })
    await page.screenshot({ path: join(shots, 'writeback.png') })
  })

  test('sets a daily budget and shows the change as it settled, with the value read back', async ({ page }) => {
    await page.goto(serverInfo().url)
    await page.getByTestId('nav-campaigns').click()
    const grid = page.getByTestId('explorer-grid')
    await expect(grid).toBeVisible()
    await grid
      .getByRole('button', { name: /^Details of / })
      .nth(1)
      .click()
    const drawer = page.getByTestId('entity-drawer')
    await drawer.getByTestId('writeback-budget').fill('123.45')
    await drawer.getByRole('button', { name: 'Set budget' }).click()
    const dialog = page.getByRole('dialog').filter({ hasText: 'on the ad platform?' })
    await expect(dialog).toContainText('123.45')
    await dialog.getByRole('button', { name: 'Confirm change' }).click()
    const result = drawer.getByTestId('writeback-result')
    await expect(result).toBeVisible()
    const text = (await result.textContent()) ?? ''
    // Applied with the read-back value, or failed with the platform's own message: never a bare "done".
    expect(text).toMatch(
      /^(Applied on the platform: the daily budget read back as \D*123\.45|The platform did not apply change #\d+: .+)/,
    )
    const shots = join(import.meta.dirname, '..', 'test-results', 'screenshots')
    mkdirSync(shots, { recursive: true })
    await page.screenshot({ path: join(shots, 'writeback-budget.png') })
  })
})
