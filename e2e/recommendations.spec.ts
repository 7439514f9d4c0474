import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { callApi, demoReady, serverInfo } from './server-info'

const shots = join(import.meta.dirname, '..', 'test-results', 'screenshots')

interface Change {
  id: number
  state: string
  requested: number | string | null
  applied?: number | string | null
  platformBefore?: number | string | null
  undoOf: number | null
}

test.describe('recommendations page', () => {
  let workspaceId = 0
  test.beforeAll(async () => {
    workspaceId = await demoReady()
    // The module also regenerates after the demo build; asking once more makes the list certain.
    await callApi('recommendations:generate', { workspaceId })
  })

  test('applies a budget reallocation through approval, sees it on the simulated platform, then undoes it', async ({
    page,
  }) => {
    const u = new URL(serverInfo().url)
    await page.goto(`${u.origin}${u.pathname}${u.search}#/recommendations`)
    await expect(page.getByRole('heading', { level: 1, name: 'Recommendations' })).toBeVisible()
    const list = page.getByTestId('recommendation-list')
    await expect(list).toBeVisible()
    // Ranked, each with its impact per week and 80% interval or an honest "not estimated".
    await expect(list.getByTestId('rec-impact').first()).toContainText(/per week|not estimated/)
    mkdirSync(shots, { recursive: true })
    await page.screenshot({ path: join(shots, 'recommendations.png') })
    // Paged 50 at a time: the next page goes on with the ranking, and back.
    const { total } = await callApi<{ total: number }>('recommendations:list', { workspaceId, states: ['new'] })
    if (total > 50) {
      const pager = page.getByTestId('rec-pager')
      await expect(pager).toContainText(`1–50 of ${total}`)
      await pager.getByRole('button', { name: 'Next' }).click()
      await expect(pager).toContainText(`51–${Math.min(100, total)} of ${total}`)
      await expect(list.getByTestId('recommendation')).toHaveCount(Math.min(50, total - 50))
      await pager.getByRole('button', { name: 'Previous' }).click()
      await expect(pager).toContainText(`1–50 of ${total}`)
    }

    const card = list.locator('[data-testid="recommendation"][data-kind="budget_reallocation"]').first()
    await expect(card).toBeVisible()
    const title = (await card.getByRole('heading', { level: 3 }).textContent()) as string
    if (!(await card.getByTestId('rec-evidence').isVisible()))
      await card.getByRole('button', { name: 'Evidence' }).click()
    await expect(card.getByTestId('reallocation-table')).toBeVisible()
    await card.screenshot({ path: join(shots, 'recommendations-reallocation.png') })

    await card.getByRole('button', { name: 'Apply…' }).click()
    const dialog = page.getByRole('alertdialog').filter({ hasText: 'Apply this recommendation?' })
    await expect(dialog).toContainText('daily budget →')
    await dialog.getByRole('button', { name: 'Propose the changes' }).click()
    await expect(dialog).toBeHidden()

    // It leaves the "New" list and waits for approval under "Applied".
    await page.getByRole('radio', { name: 'Applied' }).check()
    const applied = page
      .getByTestId('recommendation')
      .filter({ has: page.getByRole('heading', { level: 3, name: title, exact: true }) })
    await expect(applied.getByTestId('rec-change').first()).toContainText('proposed')
    await applied.getByRole('button', { name: /^Approve/ }).click()
    const changes = applied.getByTestId('rec-change')
    await expect(changes.first()).toContainText('the platform reads back', { timeout: 60_000 })
    await expect(applied.getByTestId('rec-followup')).toContainText('Follow-up on')
    await applied.screenshot({ path: join(shots, 'recommendations-applied.png') })

    // The simulated platform holds the new budgets (read back by the change pipeline).
    const rec = (
      await callApi<{ items: { title: string; batchId: string }[] }>('recommendations:list', {
        workspaceId,
        states: ['applied'],
      })
    ).items.find((r) => r.title === title) as { batchId: string }
    const batchItems = async (): Promise<Change[]> =>
      (await callApi<{ items: Change[] }>('changes:list', { batchId: rec.batchId, limit: 500, offset: 0 })).items
    // The card shows the first change settled; the worker applies the batch's others one by one.
    await expect
      .poll(async () => (await batchItems()).every((c) => c.state === 'applied'), { timeout: 60_000 })
      .toBe(true)
    const batch = await batchItems()
    expect(batch.length).toBeGreaterThan(0)
    for (const c of batch) expect(c.applied).toBe(c.requested)

    await applied.getByRole('button', { name: 'Undo on the platform' }).click()
    await expect(changes.first()).toContainText('undone', { timeout: 60_000 })
    await expect
      .poll(async () => (await batchItems()).filter((x) => x.undoOf === null).every((c) => c.state === 'undone'), {
        timeout: 60_000,
      })
      .toBe(true)
  })

  test('advice settings: the vertical brings the benchmark tip, a monthly plan the pacing tip', async ({ page }) => {
    const u = new URL(serverInfo().url)
    await page.goto(`${u.origin}${u.pathname}${u.search}#/recommendations`)
    await expect(page.getByTestId('recommendation-list')).toBeVisible()
    const settings = page.getByTestId('advice-settings')
    await settings.locator('summary').click()
    await settings.getByTestId('advice-vertical').selectOption('apparel')
    // A plan 30% below the first account's projected month (as the dashboard's pacing projects it): over plan.
    const pacingRows = (await callApi<{ rows: { projectedMicros: number }[] }>('analytics:getPacing', { workspaceId }))
      .rows
    const plan = settings.getByRole('textbox').first()
    await plan.fill(String(Math.round((pacingRows[0]?.projectedMicros ?? 0) / 1e6 / 1.3)))
    await settings.getByRole('button', { name: 'Save settings' }).click()
    await expect(settings).toContainText('Saved')
    // Tips rank below the money-moving advice: show only that kind (the list is paged, 50 at a time).
    await page.getByTestId('rec-kind').selectOption('structure')
    const tips = page.locator('[data-testid="recommendation"][data-kind="structure"]')
    await expect(tips.filter({ hasText: 'apparel benchmark' }).first()).toBeVisible({ timeout: 60_000 })
    await expect(tips.filter({ hasText: /pacing \d+% over plan/ }).first()).toBeVisible()
    const bench = tips.filter({ hasText: 'apparel benchmark' }).first()
    if (!(await bench.getByTestId('rec-evidence').isVisible()))
      await bench.getByRole('button', { name: 'Evidence' }).click()
    await expect(bench.getByTestId('rec-evidence')).toContainText('wordstream.com')
    mkdirSync(shots, { recursive: true })
    await settings.screenshot({ path: join(shots, 'recommendations-settings.png') })
    await bench.screenshot({ path: join(shots, 'recommendations-benchmark.png') })
    const pacing = tips.filter({ hasText: /pacing \d+% over plan/ }).first()
    await pacing.getByRole('button', { name: 'Evidence' }).click()
    await pacing.screenshot({ path: join(shots, 'recommendations-pacing.png') })
    // Back to the honest default: no vertical, no plan.
    await settings.getByTestId('advice-vertical').selectOption('unknown')
    await plan.fill('')
    await settings.getByRole('button', { name: 'Save settings' }).click()
    await expect(settings).toContainText('Saved')
  })
})
