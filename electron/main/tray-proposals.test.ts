import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { userContext, type CallContext } from '../../shared/domain/caller'
import type { Change } from '../../shared/domain/changes'
import { seedAccount } from './store/repos/testing'
import { createTestCore } from './test-support'
import { trayMenu } from './tray-menu'
import { decideProposal, trayProposals, TRAY_PROPOSALS, type TrayProposalSource } from './tray-proposals'

/*
 * Approve or reject a rule's proposal from the tray menu, under Node with the real core: the menu's
 * items come from the change pipeline's proposals, and a click goes through changes:approve /
 * changes:reject as the desktop user (the job queue is off, so approved changes wait for the worker).
 */
type TestCore = ReturnType<typeof createTestCore>
let core: TestCore
let made: Change[] = []
const DESKTOP: CallContext = userContext('desktop', { id: 'ana', name: 'ana' })

beforeAll(() => {
  core = createTestCore({ startJobs: false })
  const ws = core.workspaces.create('Tray', 'USD')
  const { campaigns } = seedAccount(core.store.sqlite, ws, 'tray', 7)
  core.store.sqlite.prepare('UPDATE campaigns SET daily_budget_micros = 100000000').run()
  const ruleCtx: CallContext = { principal: { kind: 'rule', ruleId: 3, version: 2, role: 'editor' }, workspaces: [ws] }
  made = core.services.changes.proposeBatch(
    campaigns.map((c, i) => ({
      entityType: 'campaign' as const,
      entityId: c.campaignId,
      action: i === 0 ? { kind: 'pause' as const } : { kind: 'set_budget' as const, dailyBudgetMicros: 115_000_000 },
      reason: 'Rule “Scale & pause” (v2): ROAS (last 7d) > 3',
      idempotencyKey: `tray:${c.campaignId}`,
      approval: 'required' as const,
    })),
    ruleCtx,
    { batchId: 'tray-batch' },
  )
})
afterAll(() => core.close())

function source(): TrayProposalSource {
  return {
    changes: core.services.changes,
    currencyOf: (ws, account) => core.services.analytics.scope(ws).byId.get(account)?.currency ?? null,
  }
}

describe('proposals in the tray menu', () => {
  it('lists the newest proposals in words, each with approve and reject, then the inbox', () => {
    expect(made.map((c) => c.state)).toEqual(made.map(() => 'proposed'))
    const { items, total } = trayProposals(source())
    expect(total).toBe(7)
    expect(items).toHaveLength(TRAY_PROPOSALS)
    // Newest first; budgets in the account's currency; & doubled for menu mnemonics.
    expect(items[0]).toEqual({
      changeId: made[6]?.id,
      label: 'C6: budget $100.00 → $115.00',
      detail: 'rule:3@2 — Rule “Scale && pause” (v2): ROAS (last 7d) > 3',
    })
    const menu = trayMenu({
      alerts: [],
      now: new Date(),
      automationPaused: false,
      pendingApprovals: total,
      proposals: items,
    })
    const at = menu.findIndex((i) => i.kind === 'proposal')
    expect(
      menu.slice(at, at + 6).map((i) => (i.kind === 'proposal' ? i.changeId : i.kind === 'action' ? i.label : i.kind)),
    ).toEqual([...items.map((p) => p.changeId), 'Review 7 proposed changes…'])
    // Nothing waiting: no proposal items, no inbox entry.
    expect(
      trayMenu({ alerts: [], now: new Date(), automationPaused: false, pendingApprovals: 0, proposals: [] }).some(
        (i) => i.kind === 'proposal',
      ),
    ).toBe(false)
  })

  it('approves and rejects through the change pipeline as the desktop user, and says why when it cannot', async () => {
    const [pause, raise] = made as [Change, Change]
    const ok = await decideProposal(core.dispatch, DESKTOP, raise.id, 'approve')
    expect(ok).toEqual({
      ok: true,
      message: `Approved change ${raise.id} (C1): it is applied and read back on meta next.`,
    })
    expect(core.services.changes.get(raise.id)).toMatchObject({ state: 'approved', decidedBy: 'user:ana (desktop)' })
    const no = await decideProposal(core.dispatch, DESKTOP, pause.id, 'reject')
    expect(no.ok).toBe(true)
    expect(core.services.changes.get(pause.id).state).toBe('rejected')
    // The audit log names the desktop user for both decisions.
    const audit = core.services.changes.history(pause.id).map((a) => [a.action, a.actor])
    expect(audit).toContainEqual(['change.rejected', 'user:ana (desktop)'])
    // Decided elsewhere meanwhile (the page, the CLI): the tray says so and changes nothing.
    const again = await decideProposal(core.dispatch, DESKTOP, pause.id, 'approve')
    expect(again.ok).toBe(false)
    expect(again.message).toMatch(new RegExp(`^Change ${pause.id} was not approved: .*rejected`))
    expect(core.services.changes.get(pause.id).state).toBe('rejected')
    // A viewer may not decide.
    const viewer = userContext('desktop', { id: 'vic', role: 'viewer' })
    const refused = await decideProposal(core.dispatch, viewer, made[2]!.id, 'approve')
    expect(refused.ok).toBe(false)
    expect(refused.message).toMatch(/was not approved: .*editor/i)
    expect(core.services.changes.get(made[2]!.id).state).toBe('proposed')
    // The menu follows: two fewer waiting.
    expect(trayProposals(source()).total).toBe(5)
  })
})
