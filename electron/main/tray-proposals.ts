import type { CallContext } from '../../shared/domain/caller'
import type { Change } from '../../shared/domain/changes'
import { formatMoney } from '../../shared/domain/money'
import type { Dispatch } from './ipc/router'

/**
 * Approve or reject proposed changes from the tray menu: which proposals the menu lists (newest
 * first, each in words: what changes, on what, who asked) and the decision, through the same
 * `changes:approve` / `changes:reject` channels as the Automation page, as the desktop user. Plain
 * Node (tray.ts only turns the items into a native menu), tested under Node.
 */

/** Proposals listed in the menu; the rest are behind "Review N proposed changes…". */
export const TRAY_PROPOSALS = 5
const LABEL_MAX = 70

/** One proposal in the tray menu. */
export interface TrayProposal {
  changeId: number
  /** "Spring sale: budget $100.00 → $115.00" */
  label: string
  /** "rule:7@3 — Rule “Scale winners” (v3): ROAS (last 7d) > 3" */
  detail: string
}

function cut(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** A proposal in words; money in the account's currency when known. */
export function describeProposal(c: Change, currency: string | undefined): TrayProposal {
  const name = c.entityName ?? `${c.entityType === 'ad_set' ? 'ad set' : c.entityType} ${c.entityId}`
  const money = (v: Change['before']): string =>
    typeof v === 'number' ? (currency ? formatMoney(v, currency) : (v / 1e6).toFixed(2)) : String(v ?? '—')
  let what: string
  if (c.action.kind === 'pause') what = 'pause'
  else if (c.action.kind === 'enable') what = 'enable'
  else what = `budget ${money(c.before)} → ${money(c.requested)}`
  return {
    changeId: c.id,
    // Menu labels treat & as a mnemonic marker on some platforms: double it.
    label: cut(`${name}: ${what}`, LABEL_MAX).replace(/&/g, '&&'),
    detail: cut(`${c.actor.label}${c.reason ? ` — ${c.reason}` : ''}`, 200).replace(/&/g, '&&'),
  }
}

/** What the tray needs of the core (its change and analytics services). */
export interface TrayProposalSource {
  changes: { list(f: { states: Change['state'][]; limit: number }): { items: Change[]; total: number } }
  /** The account's currency (null: unknown). */
  currencyOf(workspaceId: number, accountId: number): string | null
}

/** The newest proposals waiting for approval, in words, and how many wait in all. */
export function trayProposals(
  src: TrayProposalSource,
  limit = TRAY_PROPOSALS,
): { items: TrayProposal[]; total: number } {
  const { items, total } = src.changes.list({ states: ['proposed'], limit })
  return {
    items: items.map((c) => describeProposal(c, src.currencyOf(c.workspaceId, c.accountId) ?? undefined)),
    total,
  }
}

/**
 * Approve or reject one proposal as the desktop user. Answers a sentence for the notification:
 * what happened, or why not (already decided elsewhere, gone, not allowed).
 */
export async function decideProposal(
  dispatch: Dispatch,
  ctx: CallContext,
  changeId: number,
  decision: 'approve' | 'reject',
): Promise<{ ok: boolean; message: string }> {
  const env =
    decision === 'approve'
      ? await dispatch('changes:approve', { id: changeId, wait: false }, ctx)
      : await dispatch('changes:reject', { id: changeId, reason: 'Rejected from the tray menu' }, ctx)
  if (!env.ok) return { ok: false, message: `Change ${changeId} was not ${decision}d: ${env.error.message}` }
  const c = env.value as Change
  return {
    ok: true,
    message:
      decision === 'approve'
        ? `Approved change ${changeId} (${c.entityName ?? c.entityType}): it is applied and read back on ${c.platform} next.`
        : `Rejected change ${changeId} (${c.entityName ?? c.entityType}): nothing is sent to ${c.platform}.`,
  }
}
