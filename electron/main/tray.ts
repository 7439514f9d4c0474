import { app, Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron'
import { join } from 'node:path'
import type { TrayAlert } from './alerts/tray-state'
import { trayMenu, type TrayMenuItem } from './tray-menu'
import type { TrayProposal } from './tray-proposals'

export interface TrayActions {
  open(): void
  syncNow(): void
  /** "Pause all automation" ticked (true) or unticked (false): every rule stops or resumes. */
  setAutomationPaused(paused: boolean): void
  /** Open the Automation page's approvals inbox. */
  openApprovals(): void
  /** Approve or reject one proposed change (tray-proposals.ts `decideProposal`). */
  decideProposal(changeId: number, decision: 'approve' | 'reject'): void
  /** Show the window at an app route (an alert's page, the Alerts page). */
  openRoute(link: string): void
  quit(): void
}

/**
 * The system-tray icon: menu (built by the pure `trayMenu`: latest unread alerts, approvals,
 * automation pause), tooltip with unread alerts and last sync, and a badge count.
 */
export class AppTray {
  private readonly tray: Tray
  private unread = 0
  private detail = ''
  private automationPaused = false
  private pendingApprovals = 0
  private proposals: TrayProposal[] = []
  private alerts: TrayAlert[] = []

  constructor(
    iconDir: string,
    private readonly actions: TrayActions,
    private readonly now: () => Date,
  ) {
    const icon = nativeImage.createFromPath(
      join(iconDir, process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
    )
    this.tray = new Tray(icon)
    this.tray.on('click', () => actions.open())
    this.render()
  }

  private item(i: TrayMenuItem): MenuItemConstructorOptions {
    const a = this.actions
    switch (i.kind) {
      case 'separator':
        return { type: 'separator' }
      case 'note':
        return { label: i.label, enabled: false }
      case 'alert':
        return { label: i.label, click: () => a.openRoute(i.link) }
      case 'proposal':
        return {
          label: i.label,
          submenu: [
            { label: i.detail, enabled: false },
            { type: 'separator' },
            { label: 'Approve', click: () => a.decideProposal(i.changeId, 'approve') },
            { label: 'Reject', click: () => a.decideProposal(i.changeId, 'reject') },
          ],
        }
      case 'toggle':
        return { label: i.label, type: 'checkbox', checked: i.checked, click: (m) => a.setAutomationPaused(m.checked) }
      case 'action': {
        const click = {
          open: () => a.open(),
          sync: () => a.syncNow(),
          approvals: () => a.openApprovals(),
          alerts: () => a.openRoute('/alerts'),
          quit: () => a.quit(),
        }[i.action]
        return { label: i.label, click }
      }
    }
  }

  private render(): void {
    const items = trayMenu({
      alerts: this.alerts,
      unread: this.unread,
      now: this.now(),
      automationPaused: this.automationPaused,
      pendingApprovals: this.pendingApprovals,
      proposals: this.proposals,
    })
    this.tray.setContextMenu(Menu.buildFromTemplate(items.map((i) => this.item(i))))
    const alerts = this.unread === 0 ? 'No unread alerts' : `${this.unread} unread alert${this.unread === 1 ? '' : 's'}`
    this.tray.setToolTip(`Marketing Engine — ${alerts}${this.detail ? `\n${this.detail}` : ''}`)
    if (process.platform === 'darwin') this.tray.setTitle(this.unread > 0 ? String(this.unread) : '')
    app.setBadgeCount?.(this.unread)
  }

  /** Unread alert count and a second tooltip line (e.g. the last sync). */
  setBadge(count: number, detail: string): void {
    this.unread = count
    this.detail = detail
    this.render()
  }

  /** The latest unread WARNING+ alerts for the menu. */
  setAlerts(alerts: TrayAlert[]): void {
    this.alerts = alerts
    this.render()
  }

  /**
   * Show the automation state: "Pause all automation" ticked or not (changed here, on the page or by
   * the CLI), how many changes wait for approval and the newest of them (approve or reject each).
   */
  setAutomationState(paused: boolean, pendingApprovals: number, proposals: TrayProposal[] = []): void {
    const same = (a: TrayProposal[], b: TrayProposal[]): boolean =>
      a.length === b.length && a.every((p, i) => p.changeId === b[i]?.changeId && p.label === b[i]?.label)
    if (
      paused === this.automationPaused &&
      pendingApprovals === this.pendingApprovals &&
      same(proposals, this.proposals)
    )
      return
    this.automationPaused = paused
    this.pendingApprovals = pendingApprovals
    this.proposals = proposals
    this.render()
  }

  destroy(): void {
    this.tray.destroy()
  }
}
