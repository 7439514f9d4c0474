import { AppLinkSchema, SEVERITY_LABELS } from '../../shared/domain/alerts'
import { computeTrayState, type TrayAlert } from './alerts/tray-state'
import type { TrayProposal } from './tray-proposals'

/** What the tray menu shows, independent of Electron (tray.ts turns it into a native menu). */
export type TrayMenuItem =
  | { kind: 'action'; action: 'open' | 'sync' | 'approvals' | 'alerts' | 'quit'; label: string }
  | { kind: 'alert'; alertId: number; label: string; link: string }
  | { kind: 'note'; label: string }
  | { kind: 'toggle'; action: 'pauseAutomation'; label: string; checked: boolean }
  /** A proposed change with Approve and Reject (a submenu; `detail` says who asked and why). */
  | { kind: 'proposal'; changeId: number; label: string; detail: string }
  | { kind: 'separator' }

export interface TrayMenuInput {
  /** Unread candidates (the tray filters to unread WARNING+ at `now`). */
  alerts: TrayAlert[]
  /** The badge's count of unread WARNING+ alerts, when `alerts` holds only the newest ones. */
  unread?: number
  now: Date
  automationPaused: boolean
  pendingApprovals: number
  /** The newest proposals waiting (tray-proposals.ts), each approved or rejected from the menu. */
  proposals?: TrayProposal[]
}

/** Alerts listed in the menu; the rest are behind "All alerts…". */
export const TRAY_ALERTS = 5
const TITLE_MAX = 60

function cut(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/**
 * The app route a click opens: the alert's or notification's own link when it is an app route
 * (never a URL), else the Alerts page.
 */
export function appRouteOf(link: string | undefined): string {
  const parsed = AppLinkSchema.safeParse(link ?? '/alerts')
  return parsed.success ? parsed.data : '/alerts'
}

/**
 * The tray menu: open and sync, the latest unread WARNING+ alerts (most recent first, each opening
 * its page), the newest proposals waiting (approve or reject each) and the approvals inbox, the
 * automation pause switch, quit. Pure: the caller passes `now`.
 */
export function trayMenu(input: TrayMenuInput): TrayMenuItem[] {
  const state = computeTrayState(input.alerts, input.now, TRAY_ALERTS)
  const count = Math.max(state.count, input.unread ?? 0)
  const items: TrayMenuItem[] = [
    { kind: 'action', action: 'open', label: 'Open Marketing Engine' },
    { kind: 'action', action: 'sync', label: 'Sync now' },
    { kind: 'separator' },
  ]
  if (count === 0) items.push({ kind: 'note', label: 'No unread alerts' })
  else {
    items.push({ kind: 'note', label: `${count} unread alert${count === 1 ? '' : 's'}` })
    for (const a of state.latest)
      items.push({
        kind: 'alert',
        alertId: a.id,
        // Menu labels treat & as a mnemonic marker on some platforms: double it.
        label: `${SEVERITY_LABELS[a.severity]} · ${cut(a.title, TITLE_MAX)}`.replace(/&/g, '&&'),
        link: appRouteOf(a.link),
      })
  }
  items.push({
    kind: 'action',
    action: 'alerts',
    label: count > state.latest.length ? `All ${count} alerts…` : 'All alerts…',
  })
  items.push({ kind: 'separator' })
  if (input.pendingApprovals > 0) {
    for (const p of input.proposals ?? [])
      items.push({ kind: 'proposal', changeId: p.changeId, label: p.label, detail: p.detail })
    items.push({
      kind: 'action',
      action: 'approvals',
      label: `Review ${input.pendingApprovals} proposed change${input.pendingApprovals === 1 ? '' : 's'}…`,
    })
  }
  items.push({
    kind: 'toggle',
    action: 'pauseAutomation',
    label: 'Pause all automation',
    checked: input.automationPaused,
  })
  items.push({ kind: 'separator' }, { kind: 'action', action: 'quit', label: 'Quit' })
  return items
}
