import { expect, test } from '@playwright/test'
import { callApi, demoReady, serverInfo } from './server-info'

interface Change {
  id: number
  state: string
  entityId: number
  entityName: string | null
  before: number | null
  requested: number | null
  applied?: number | null
  undoneBy: number | null
  actor: { kind: string; id: string }
}

/**
 * The "Done when", in the browser preview against the demo: create a rule from a template,
 * preview it, switch it to approval, run it, approve a proposal and see the simulated platform's
 * budget change (read back), undo it, and read in the history why each entity was or was not touched.
 */
test.describe('automation page', () => {
  test.beforeAll(async () => {
    await demoReady()
  })

  test('template → preview → approval → approve (read back) → undo → history', async ({ page }) => {
    test.setTimeout(180_000)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const u = new URL(serverInfo().url)
    await page.goto(`${u.origin}/?token=${u.searchParams.get('token')}#/automation`)
    await expect(page.getByTestId('page-automation')).toBeVisible()
    // The demo ships three approval-mode rules.
    await expect(page.getByTestId('rule-row')).toHaveCount(3)

    // Keyboard: the tabs move with the arrow keys.
    await page.getByTestId('automation-tab-rules').focus()
    await page.keyboard.press('ArrowRight')
    await expect(page.getByTestId('automation-tab-approvals')).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('ArrowLeft')
    await expect(page.getByTestId('automation-tab-rules')).toHaveAttribute('aria-selected', 'true')

    // 1. A new rule from a template, its defaults explained.
    await page.getByTestId('rule-new').click()
    const template = page.getByTestId('template-scale_high_performers')
    await template.getByText('Why these defaults').click()
    await expect(template).toContainText('+15% at a time')
    await template.getByRole('button', { name: 'Use this template' }).click()
    await expect(page.getByTestId('template-note')).toContainText('Scale high performers')

    // 2. The live preview runs the dry run against the demo and lists every entity with its values.
    const preview = page.getByTestId('rule-preview')
    await expect
      .poll(async () => Number(await preview.getByTestId('preview-matched').textContent()), { timeout: 30_000 })
      .toBeGreaterThan(0)
    const first = preview.locator('[data-testid="decision"][data-outcome="matched"]').first()
    const target = (await first.locator('.decision__name').textContent()) as string
    await expect(first).toContainText('Daily budget')
    await expect(first).toContainText('would')

    // Validation next to the field: an empty name is refused before anything is sent.
    const name = page.getByTestId('rule-name')
    await name.fill('')
    await expect(page.getByTestId('error-rule-name')).toContainText('a rule needs a name')
    await expect(page.getByTestId('preview-invalid')).toBeVisible()
    await name.fill('E2E scale one campaign')

    // Narrow it to the first matched campaign; the preview follows the edit.
    await page.locator('#scope-name').fill(target)
    await expect
      .poll(async () => Number(await preview.getByTestId('preview-matched').textContent()), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(1)
    await expect(preview.locator('[data-testid="decision"][data-outcome="matched"]').first()).toContainText(target)

    // Saved first in preview mode: it never acts.
    await page.getByTestId('mode-preview').click()
    await page.getByTestId('rule-save').click()
    const row = page.getByTestId('rule-row').filter({ hasText: 'E2E scale one campaign' })
    await expect(row).toBeVisible()
    await expect(row.getByTestId('rule-mode')).toHaveText('Preview only')
    const ruleId = Number(await row.getAttribute('data-rule-id'))

    // 3. Switched to approval: a new version.
    await row.getByRole('button', { name: 'Edit' }).click()
    await page.getByTestId('mode-approval').click()
    await expect(page.getByTestId('rule-save')).toHaveText('Save version 2')
    await page.getByTestId('rule-save').click()
    await expect(row.getByTestId('rule-mode')).toHaveText('Approval')

    // 4. Run it: its change waits in the inbox.
    await row.getByTestId('rule-run').click()
    await expect(page.getByTestId('rules-notice')).toContainText(/[1-9]\d* actions? proposed for approval/)
    const proposals = await callApi<{ items: Change[] }>('changes:list', { state: 'proposed', limit: 500 })
    const mine = proposals.items.find((c) => c.actor.kind === 'rule' && c.actor.id === `${ruleId}@2`) as Change
    expect(mine).toBeTruthy()
    expect(mine.requested as number).toBeGreaterThan(mine.before as number)

    await page.getByTestId('automation-tab-approvals').click()
    const card = page.locator(`[data-testid="approval"][data-change-id="${mine.id}"]`)
    await expect(card).toContainText('E2E scale one campaign')
    await expect(card).toContainText('ROAS')
    await card.getByTestId('approve').click()

    // 5. Applied and read back from the simulated platform.
    const decided = page.locator('[data-testid="decided-change"]').first()
    await expect(decided).toHaveAttribute('data-state', 'applied', { timeout: 30_000 })
    await expect(decided.getByTestId('decided-outcome')).toContainText('the platform reads back')
    const applied = (await callApi<{ change: Change }>('changes:get', { id: mine.id })).change
    expect(applied.state).toBe('applied')
    expect(applied.applied).toBe(mine.requested)

    // 6. Undo: the budget goes back.
    await decided.getByTestId('undo-change').click()
    await expect(page.locator('[data-testid="decided-change"][data-state="undone"]')).toBeVisible({ timeout: 30_000 })
    const undone = (await callApi<{ change: Change }>('changes:get', { id: mine.id })).change
    expect(undone.state).toBe('undone')
    const undo = (await callApi<{ change: Change }>('changes:get', { id: undone.undoneBy as number })).change
    expect(undo.state).toBe('applied')
    expect(undo.applied).toBe(mine.before)

    // 7. The history says why every entity was or was not touched.
    await page.getByTestId('automation-tab-history').click()
    await page.getByTestId('history-rule').selectOption(String(ruleId))
    const run = page.getByTestId('run-detail')
    await expect(run).toContainText('Approval')
    await expect(run.getByTestId('history-change').first()).toContainText(target)
    const decisions = run.getByTestId('decision')
    const count = await decisions.count()
    expect(count).toBeGreaterThan(0)
    for (let i = 0; i < count; i++) {
      const hint = decisions.nth(i).locator('.decision__toggle .field__hint')
      // "Campaign · <why>": a skip reason, the failed condition with its numbers, or "all conditions held".
      await expect(hint).toHaveText(/^(Campaign|Ad set|Ad) · .+/)
    }
    await expect(run.locator('[data-testid="decision"][data-outcome="matched"]')).toContainText(target)

    // The entity's own timeline lists the change and its undo.
    await run
      .locator('[data-testid="decision"][data-outcome="matched"]')
      .first()
      .getByRole('button', { name: 'Entity history' })
      .click()
    const entity = page.getByTestId('entity-history')
    await expect(entity).toContainText(target)
    await expect(entity.locator('[data-testid="history-change"][data-state="undone"]')).toBeVisible()
    await expect(entity.getByTestId('entity-decisions')).toContainText('E2E scale one campaign')

    expect(errors).toEqual([])
  })

  test('a run records not-matched entities compactly; the history recomputes their numbers when asked', async ({
    page,
  }) => {
    const workspaceId = await demoReady()
    const last7 = { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 }
    const rule = await callApi<{ id: number }>('rules:create', {
      workspaceId,
      name: 'E2E nothing matches',
      mode: 'preview',
      scope: { level: 'campaign' },
      guardrails: { learningDays: 0, minConversions: 0, minSpendMicros: 0 },
      conditions: {
        type: 'group',
        op: 'and',
        items: [{ type: 'condition', metric: 'spend', window: last7, op: 'gt', value: 1e12 }],
      },
      actions: [{ kind: 'pause' }],
    })
    await callApi('rules:run', { id: rule.id, dryRun: true })
    const u = new URL(serverInfo().url)
    await page.goto(`${u.origin}/?token=${u.searchParams.get('token')}#/automation`)
    await page.getByTestId('automation-tab-history').click()
    await page.getByTestId('history-rule').selectOption(String(rule.id))
    const run = page.getByTestId('run-detail')
    const one = run.locator('[data-testid="decision"][data-outcome="not_matched"]').first()
    await expect(one).toContainText('conditions not met')
    await one.locator('.decision__toggle').click()
    await expect(one).toContainText('recorded the outcome only')
    await one.getByTestId('decision-explain').click()
    await expect(one.getByTestId('decision-recomputed-note')).toContainText('Recomputed now')
    await expect(one.locator('[data-testid="decision-explained"] li[data-result="false"]')).toContainText(
      'Spend (last 7d) > 1000000000000',
    )
    // The recorded outcome is stated once, not again above the recomputed numbers.
    await expect(one.getByTestId('decision-reason')).toHaveCount(1)
    await run.screenshot({ path: 'test-results/e2e/automation-recomputed.png' })
    await callApi('rules:delete', { id: rule.id })
  })

  test('a run over many entities shows its decisions a page at a time, filtered by the core', async ({ page }) => {
    const workspaceId = await demoReady()
    const rule = await callApi<{ id: number }>('rules:create', {
      workspaceId,
      name: 'E2E every ad',
      mode: 'preview',
      scope: { level: 'ad', statuses: ['active', 'paused'] },
      guardrails: { learningDays: 0, minConversions: 0, minSpendMicros: 0, minImpressions: 0 },
      conditions: {
        type: 'group',
        op: 'and',
        items: [{ type: 'condition', metric: 'spend', window: { kind: 'lifetime' }, op: 'gt', value: 1e12 }],
      },
      actions: [{ kind: 'pause' }],
    })
    const result = await callApi<{ run: { id: number; considered: number } }>('rules:run', {
      id: rule.id,
      dryRun: true,
    })
    const total = result.run.considered
    // The demo has more ads than one page holds (100).
    expect(total).toBeGreaterThan(100)
    const u = new URL(serverInfo().url)
    await page.goto(`${u.origin}/?token=${u.searchParams.get('token')}#/automation`)
    await page.getByTestId('automation-tab-history').click()
    await page.getByTestId('history-rule').selectOption(String(rule.id))
    const list = page.getByTestId('run-decisions')
    // Only the first page is rendered; the counts are the run's.
    await expect(list.getByTestId('decision')).toHaveCount(100)
    await expect(list.getByTestId('run-decisions-range')).toHaveText(`1–100 of ${total.toLocaleString('en-US')}`)
    await expect(list.getByText(`All ${total}`)).toBeVisible()
    await expect(list.getByTestId('run-decisions-prev')).toBeDisabled()
    const firstName = await list.getByTestId('decision').first().locator('.decision__name').textContent()
    await list.getByTestId('run-decisions-next').click()
    await expect(list.getByTestId('run-decisions-range')).toHaveText(
      `101–${Math.min(200, total)} of ${total.toLocaleString('en-US')}`,
    )
    await expect(list.getByTestId('decision')).toHaveCount(Math.min(100, total - 100))
    await expect(list.getByTestId('decision').first().locator('.decision__name')).not.toHaveText(firstName as string)
    await expect(page.getByTestId('run-retention')).toContainText('Runs that acted are kept')
    await list.getByTestId('run-decisions-pager').scrollIntoViewIfNeeded()
    await page.screenshot({ path: 'test-results/e2e/automation-run-pages.png' })
    // A filter asks the core again: no entity of another outcome, from the first page.
    await list.getByText('Matched 0').click()
    await expect(list.getByText('No entity here.')).toBeVisible()
    await expect(list.getByTestId('run-decisions-pager')).toHaveCount(0)
    await callApi('rules:delete', { id: rule.id })
  })

  test('"Pause all automation" pauses every rule and shows it, with resume', async ({ page }) => {
    const u = new URL(serverInfo().url)
    await page.goto(`${u.origin}/?token=${u.searchParams.get('token')}#/automation`)
    await page.getByTestId('pause-all').click()
    await expect(page.getByTestId('paused-banner')).toBeVisible()
    await expect(page.getByTestId('automation-state')).toHaveText('All automation paused')
    expect((await callApi<{ paused: boolean }>('rules:list', { workspaceId: await demoReady() })).paused).toBe(true)
    // A rule run is refused while paused (nothing acts); the page says why.
    await page.getByTestId('rule-row').first().getByTestId('rule-run').click()
    await expect(page.getByTestId('rules-notice')).toContainText('Automation is paused')
    // Paused from elsewhere (the tray or the CLI use the same channel): resume from the banner.
    await page.getByTestId('resume-all').click()
    await expect(page.getByTestId('paused-banner')).toHaveCount(0)
    await expect(page.getByTestId('automation-state')).toHaveText('Automation on')

    // The tray's "Review N proposed changes…" opens the inbox, also while the page is open.
    await page.evaluate("window.location.hash = '#/automation?tab=approvals'")
    await expect(page.getByTestId('automation-tab-approvals')).toHaveAttribute('aria-selected', 'true')
  })
})
