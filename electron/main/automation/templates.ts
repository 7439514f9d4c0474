import type { RuleInput } from '../../../shared/domain/rules'
import type { RuleTemplate } from '../../../shared/ipc/contracts/automation'

/** The workspace's own recent numbers, so templates start from targets that fit it. */
export interface TemplateBasis {
  /** Workspace CPA over the last 30 settled days (reporting-currency units), if known. */
  cpa: number | null
  /** Workspace ROAS over the same days, if known. */
  roas: number | null
}

const round = (x: number, step: number): number => Math.max(step, Math.round(x / step) * step)

/**
 * Rule templates with explained defaults (docs/automation.md). Every template starts in approval
 * mode: a person sees the proposals before anything moves. Money targets come from the
 * workspace's own last 30 days where the rule needs a fixed number.
 */
export function ruleTemplates(workspaceId: number, basis: TemplateBasis): RuleTemplate[] {
  const cpaTarget = basis.cpa ? round(basis.cpa * 1.5, 1) : 50
  const roasTarget = basis.roas ? round(basis.roas * 1.25, 0.1) : 3
  const t = (
    id: string,
    name: string,
    summary: string,
    explanations: RuleTemplate['explanations'],
    rule: RuleInput,
  ): RuleTemplate => ({
    id,
    name,
    summary,
    explanations,
    rule: { ...rule, template: id } as Record<string, unknown>,
  })
  const settled7 = { kind: 'last_n_days', days: 7, includeToday: false, offsetDays: 0 } as const
  return [
    t(
      'pause_poor_performers',
      'Pause poor performers',
      'Pause ad sets whose CPA over the last 7 settled days is 1.5 × their campaign’s.',
      [
        {
          field: 'conditions',
          text: 'Compared with the parent campaign, so the target follows each campaign’s economics and currency.',
        },
        {
          field: 'guardrails.minConversions',
          text: 'CPA needs ≥ 10 conversions and ≥ 20 of spend in the window: below that one conversion moves CPA by 10% or more.',
        },
        {
          field: 'window',
          text: 'Last 7 settled days: today and the restatement window are left out, since late conversions still arrive.',
        },
        {
          field: 'guardrails.learningDays',
          text: 'Ad sets younger than 3 days are still in the platform’s learning phase.',
        },
      ],
      {
        workspaceId,
        name: 'Pause poor performers',
        description: 'Pauses ad sets whose CPA is far above their campaign’s.',
        mode: 'approval',
        scope: { level: 'ad_set', statuses: ['active'] },
        conditions: {
          type: 'group',
          op: 'and',
          items: [
            {
              type: 'condition',
              metric: 'cpa',
              window: settled7,
              op: 'gt',
              compareTo: { metric: 'cpa', of: 'parent_campaign', factor: 1.5 },
            },
          ],
        },
        actions: [{ kind: 'pause' }],
        schedule: { kind: 'after_sync' },
      },
    ),
    t(
      'scale_high_performers',
      'Scale high performers',
      `Raise the daily budget by 15% for campaigns with ROAS above ${roasTarget} over the last 7 settled days.`,
      [
        {
          field: 'conditions.value',
          text: `${roasTarget} is 1.25 × this workspace’s ROAS of the last 30 days: clearly better than usual.`,
        },
        {
          field: 'actions.pct',
          text: '+15% at a time: platforms re-enter learning after large budget jumps (about 20% or more).',
        },
        { field: 'actions.maxChangePerDayPct', text: 'At most +30% a day however often it runs.' },
        {
          field: 'guardrails.cooldownHours',
          text: '72 hours between raises so the effect of the last one shows in the numbers.',
        },
      ],
      {
        workspaceId,
        name: 'Scale high performers',
        description: 'Raises budgets of campaigns that return well above the usual.',
        mode: 'approval',
        scope: { level: 'campaign', statuses: ['active'] },
        conditions: {
          type: 'group',
          op: 'and',
          items: [{ type: 'condition', metric: 'roas', window: settled7, op: 'gt', value: roasTarget }],
        },
        actions: [{ kind: 'change_budget', pct: 15, maxChangePerDayPct: 30 }],
        schedule: { kind: 'after_sync' },
        guardrails: { cooldownHours: 72 },
      },
    ),
    t(
      'creative_fatigue',
      'Creative fatigue',
      'Pause ads whose CTR of the last 3 days fell below 0.75 × their CTR of the 14 days before.',
      [
        {
          field: 'conditions',
          text: 'A creative wears out when its CTR keeps falling as the same people see it again: 3 recent days against the 14 before.',
        },
        {
          field: 'guardrails.minImpressions',
          text: 'CTR needs ≥ 2,000 impressions in each window, or a handful of clicks decides.',
        },
        { field: 'actions', text: 'Paused and labelled “fatigued”, so a refresh rule or a person can find them.' },
      ],
      {
        workspaceId,
        name: 'Creative fatigue',
        description: 'Pauses ads whose click-through keeps falling.',
        mode: 'approval',
        scope: { level: 'ad', statuses: ['active'] },
        conditions: {
          type: 'group',
          op: 'and',
          items: [
            {
              type: 'condition',
              metric: 'ctr',
              window: { kind: 'last_n_days', days: 3, includeToday: false, offsetDays: 0 },
              op: 'lt',
              compareTo: {
                metric: 'ctr',
                window: { kind: 'last_n_days', days: 14, includeToday: false, offsetDays: 3 },
                factor: 0.75,
              },
            },
          ],
        },
        actions: [{ kind: 'pause' }, { kind: 'add_label', label: 'fatigued' }],
        schedule: { kind: 'daily', at: '07:00' },
      },
    ),
    t(
      'high_cpa_guard',
      'High CPA guard',
      `Label campaigns whose CPA over the last 3 settled days is above ${cpaTarget} and lower their budget by 20%.`,
      [
        { field: 'conditions.value', text: `${cpaTarget} is 1.5 × this workspace’s CPA of the last 30 days.` },
        { field: 'actions', text: 'A 20% cut slows spending while a person looks; the label “high-cpa” marks them.' },
        { field: 'guardrails.minConversions', text: 'CPA needs ≥ 10 conversions and ≥ 20 of spend.' },
      ],
      {
        workspaceId,
        name: 'High CPA guard',
        description: 'Slows campaigns whose cost per conversion runs high.',
        mode: 'approval',
        scope: { level: 'campaign', statuses: ['active'] },
        conditions: {
          type: 'group',
          op: 'and',
          items: [
            {
              type: 'condition',
              metric: 'cpa',
              window: { kind: 'last_n_days', days: 3, includeToday: false, offsetDays: 0 },
              op: 'gt',
              value: cpaTarget,
            },
          ],
        },
        actions: [
          { kind: 'change_budget', pct: -20, maxChangePerDayPct: 20 },
          { kind: 'add_label', label: 'high-cpa' },
        ],
        schedule: { kind: 'after_sync' },
      },
    ),
    t(
      'overspend_guard',
      'Overspend / pacing guard',
      'Pause campaigns that spent more than 80% of their daily budget before 14:00 (account time).',
      [
        {
          field: 'conditions',
          text: 'Budget utilisation today = spend so far today ÷ daily budget; provisional days count here on purpose (today is always provisional).',
        },
        {
          field: 'schedule',
          text: 'Hourly, only between 00:00 and 14:00 in the account’s time zone: later in the day 80% is normal.',
        },
        { field: 'guardrails.cooldownHours', text: '12 hours, so it acts at most once a day.' },
      ],
      {
        workspaceId,
        name: 'Overspend guard',
        description: 'Stops campaigns that burn their day’s budget by early afternoon.',
        mode: 'approval',
        scope: { level: 'campaign', statuses: ['active'] },
        conditions: {
          type: 'group',
          op: 'and',
          items: [
            {
              type: 'condition',
              metric: 'budget_utilisation',
              window: { kind: 'today' },
              op: 'gt',
              value: 0.8,
              includeProvisional: true,
            },
          ],
        },
        actions: [{ kind: 'pause' }],
        schedule: { kind: 'hourly', activeHours: { from: 0, to: 14 } },
        guardrails: { cooldownHours: 12 },
      },
    ),
    t(
      'restart_after_late_conversions',
      'Restart after late conversions',
      `Enable paused campaigns whose CPA of the last 14 days, counting late conversions, is back under ${cpaTarget}.`,
      [
        {
          field: 'conditions.includeProvisional',
          text: 'Counts the provisional days: the late conversions that arrived after a pause are the reason to restart.',
        },
        { field: 'scope.statuses', text: 'Only paused campaigns.' },
        { field: 'guardrails.cooldownHours', text: '48 hours, so a campaign is not flipped back and forth.' },
      ],
      {
        workspaceId,
        name: 'Restart after late conversions',
        description: 'Turns paused campaigns back on when late conversions show they were doing fine.',
        mode: 'approval',
        scope: { level: 'campaign', statuses: ['paused'] },
        conditions: {
          type: 'group',
          op: 'and',
          items: [
            {
              type: 'condition',
              metric: 'cpa',
              window: { kind: 'last_n_days', days: 14, includeToday: true, offsetDays: 0 },
              op: 'lte',
              value: cpaTarget,
              includeProvisional: true,
            },
          ],
        },
        actions: [{ kind: 'enable' }],
        schedule: { kind: 'daily', at: '08:00' },
        guardrails: { cooldownHours: 48 },
      },
    ),
  ]
}

/** The three demo rules (approval mode) a newcomer finds after the first sync. */
export const DEMO_TEMPLATE_IDS = ['pause_poor_performers', 'scale_high_performers', 'high_cpa_guard'] as const
