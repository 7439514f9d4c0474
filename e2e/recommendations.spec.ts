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
})
