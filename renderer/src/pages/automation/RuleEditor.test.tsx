// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Rule, RuleDefinition, RuleRunResult } from '../../../../shared/domain/rules'
import type { Account } from '../../../../shared/ipc/contract'
import { ApiError, setClient } from '../../api/client'
import { createFakeClient } from '../../test/fake-client'
import { RuleEditor } from './RuleEditor'
import { dailySeries, friendly, issuesOf, toDraft, validateDraft } from './rule-text'

const account: Account = {
  id: 1,
  workspaceId: 1,
  platform: 'meta',
  externalId: 'act_1',
  name: 'Alder US',
  currency: 'EUR',
  timeZone: 'Europe/Berlin',
  status: 'active',
  statusMessage: null,
  lastSyncedAt: null,
  campaignCount: 2,
  firstDate: '2026-01-01',
  lastDate: '2026-03-01',
}

const template = toDraft({
  workspaceId: 1,
  name: 'Scale high performers',
  mode: 'approval',
  scope: { level: 'campaign' },
  conditions: {
    type: 'group',
    op: 'and',
    items: [{ type: 'condition', metric: 'roas', op: 'gt', value: 3 }],
  },
  actions: [{ kind: 'change_budget', pct: 15 }],
})

function result(def: RuleDefinition): RuleRunResult {
  return {
    run: {
      id: 0,
      ruleId: 0,
      version: 0,
      trigger: 'preview',
      mode: def.mode,
      dryRun: true,
      status: 'succeeded',
      startedAt: '2026-03-02T10:00:00.000Z',
      finishedAt: '2026-03-02T10:00:00.010Z',
      considered: 2,
      matched: 1,
      skipped: 1,
      actions: 1,
      batchId: null,
      message: null,
    },
    currency: 'USD',
    decisions: [
      {
        entityType: 'campaign',
        entityId: 7,
        entityName: 'Spring sale',
        accountId: 1,
        outcome: 'matched',
        reason: null,
        detail: null,
        conditions: [{ path: '0', label: 'ROAS (last 7d) > 3', metric: 'roas', value: 4.2, against: 3, result: true }],
        actions: [{ kind: 'change_budget', outcome: 'would', changeId: null, before: 100_000_000, after: 115_000_000 }],
      },
      {
        entityType: 'campaign',
        entityId: 8,
        entityName: 'Brand',
        accountId: 1,
        outcome: 'skipped',
        reason: 'data_minimum',
        detail: '4 conversions < 10',
        conditions: [{ path: '0', label: 'ROAS (last 7d) > 3', metric: 'roas', value: 9, against: 3, result: null }],
        actions: [],
      },
    ],
  }
}

afterEach(() => {
  cleanup()
  setClient(null)
})

describe('the rule editor', () => {
  it('previews the draft, names invalid fields without calling the core, and shows a core-only error at its field', async () => {
    let saved: unknown = null
    const client = createFakeClient({
      'rules:preview': (input) => result((input as { rule: RuleDefinition }).rule),
      'rules:create': (input) => {
        if (input.schedule?.kind === 'cron')
          throw new ApiError('VALIDATION', 'Invalid rule: schedule.cron: minute 61 is out of range')
        saved = input
        return { id: 5, version: 1, definition: input } as unknown as Rule
      },
    })
    setClient(client)
    let done: Rule | null = null
    render(
      <RuleEditor
        initial={template}
        accounts={[account]}
        currency="USD"
        onSaved={(r) => (done = r)}
        onCancel={() => {}}
      />,
    )

    // The live preview: matched and skipped entities with their values and reasons; budgets in the account currency.
    await waitFor(() => expect(screen.getByTestId('preview-matched').textContent).toBe('1'))
    const preview = screen.getByTestId('preview-decisions')
    expect(preview.textContent).toContain('Spring sale')
    expect(preview.textContent).toContain('4.20× vs 3.00×')
    expect(preview.textContent).toContain('Daily budget €100.00 → €115.00 — would')
    expect(preview.textContent).toContain('Not enough data')

    // An empty name and an empty threshold: errors next to the fields, and no preview call for them.
    const before = client.calls.filter((c) => c.channel === 'rules:preview').length
    fireEvent.change(screen.getByTestId('rule-name'), { target: { value: '' } })
    fireEvent.change(screen.getByTestId('condition-value'), { target: { value: '' } })
    expect(screen.getByTestId('error-rule-name').textContent).toBe('a rule needs a name')
    expect(screen.getByTestId('condition-error').textContent).toBe('Enter a value, or compare with another metric')
    expect(screen.getByTestId('preview-invalid').textContent).toContain('2 fields')
    fireEvent.click(screen.getByTestId('rule-save'))
    expect(screen.getByTestId('rule-save-error').textContent).toContain('Fix the 2 fields')
    await new Promise((r) => setTimeout(r, 700))
    expect(client.calls.filter((c) => c.channel === 'rules:preview').length).toBe(before)

    // Fixed; a cron schedule only the core can check is refused and the error lands at the cron field.
    fireEvent.change(screen.getByTestId('rule-name'), { target: { value: 'Scale' } })
    fireEvent.change(screen.getByTestId('condition-value'), { target: { value: '3.5' } })
    fireEvent.change(screen.getByLabelText('Runs'), { target: { value: 'cron' } })
    fireEvent.change(screen.getByLabelText('Cron (minute hour day month weekday)'), {
      target: { value: '61 * * * *' },
    })
    fireEvent.click(screen.getByTestId('rule-save'))
    await waitFor(() => expect(screen.getByTestId('error-s-cron').textContent).toBe('minute 61 is out of range'))
    expect(done).toBeNull()

    fireEvent.change(screen.getByLabelText('Runs'), { target: { value: 'after_sync' } })
    fireEvent.click(screen.getByTestId('rule-save'))
    await waitFor(() => expect(done).not.toBeNull())
    const def = saved as RuleDefinition
    expect(def.name).toBe('Scale')
    expect(def.conditions.items[0]).toMatchObject({ metric: 'roas', op: 'gt', value: 3.5 })
    expect(def.schedule).toEqual({ kind: 'after_sync' })
  })
})

describe('forecast conditions in the editor', () => {
  it('swaps the window for a horizon and an interval bound, and previews the draft with them', async () => {
    const client = createFakeClient({
      'rules:preview': (input) => result((input as { rule: RuleDefinition }).rule),
    })
    setClient(client)
    render(<RuleEditor initial={template} accounts={[account]} currency="USD" onSaved={() => {}} onCancel={() => {}} />)
    await waitFor(() => expect(screen.getByTestId('preview-matched').textContent).toBe('1'))
    expect(screen.queryByTestId('condition-forecast')).toBeNull()
    fireEvent.change(screen.getByTestId('condition-metric'), { target: { value: 'forecast_roas' } })
    expect(screen.getByTestId('condition-forecast')).toBeTruthy()
    expect(screen.queryByLabelText('Window')).toBeNull()
    fireEvent.change(screen.getByLabelText('Forecast days ahead'), { target: { value: '14' } })
    fireEvent.change(screen.getByLabelText('Forecast bound'), { target: { value: 'lower' } })
    await waitFor(() => {
      const last = client.calls.filter((c) => c.channel === 'rules:preview').at(-1)
      const cond = (last?.input as { rule: RuleDefinition }).rule.conditions.items[0]
      expect(cond).toMatchObject({ metric: 'forecast_roas', forecast: { days: 14, bound: 'lower' }, value: 3 })
    })
    // Zero days ahead is refused at the field, before the core sees it.
    fireEvent.change(screen.getByLabelText('Forecast days ahead'), { target: { value: '0' } })
    expect(screen.getByTestId('condition-error').textContent).toMatch(/1/)
    // Back to a windowed metric: the horizon goes, the window comes back.
    fireEvent.change(screen.getByTestId('condition-metric'), { target: { value: 'cpa' } })
    expect(screen.queryByTestId('condition-forecast')).toBeNull()
  })
})

describe('rule-text helpers', () => {
  it('maps the schema’s words to plain ones and finds the field of a core-only error', () => {
    expect(friendly('Invalid input: expected number, received NaN')).toBe('Enter a number')
    expect(friendly('Too small: expected number to be >=1')).toBe('At least 1')
    expect(issuesOf(undefined, 'Invalid rule: scope.accountIds: accounts 9 are not in workspace 1')).toEqual([
      { path: ['scope', 'accountIds'], message: 'accounts 9 are not in workspace 1' },
    ])
    expect(issuesOf({ issues: [{ path: ['rule', 'name'], message: 'x' }] })).toEqual([
      { path: ['rule', 'name'], message: 'x' },
    ])
  })

  it('validates percent metrics in the stored unit and names the nested field', () => {
    const draft = toDraft({
      ...template,
      conditions: {
        type: 'group',
        op: 'and',
        items: [{ type: 'group', op: 'or', items: [{ type: 'condition', metric: 'ctr', op: 'lt' }] }],
      },
    })
    expect([...validateDraft(draft).keys()]).toEqual(['conditions.items.0.items.0.value'])
  })

  it('fills 30 days of actions, zero where no rule ran', () => {
    const s = dailySeries([{ day: '2026-03-02', actions: 4 }], new Date('2026-03-02T12:00:00Z'))
    expect(s).toHaveLength(30)
    expect(s.at(-1)).toBe(4)
    expect(s.slice(0, -1).every((x) => x === 0)).toBe(true)
  })
})
