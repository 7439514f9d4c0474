import { app, Menu, nativeImage, Tray } from 'electron'
import { join } from 'node:path'

export interface TrayActions {
  open(): void
  syncNow(): void
  /** "Pause all automation" ticked (true) or unticked (false): every rule stops or resumes. */
  setAutomationPaused(paused: boolean): void
  /** Open the Automation page's approvals inbox. */
  openApprovals(): void
  quit(): void
}

/** The system-tray icon: menu, tooltip with unread alerts and last sync, and a badge count. */
export class AppTray {
  private readonly tray: Tray
  private unread = 0
  private detail = ''
  private automationPaused = false
  private pendingApprovals = 0

  constructor(
    iconDir: string,
    private readonly actions: TrayActions,
  ) {
    const icon = nativeImage.createFromPath(
      join(iconDir, process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
    )
    this.tray = new Tray(icon)
    this.tray.on('click', () => actions.open())
    this.render()
  }

  private render(): void {
    const menu = Menu.buildFromTemplate([
      { label: 'Open Marketing Engine', click: () => this.actions.open() },
      { label: 'Sync now', click: () => this.actions.syncNow() },
      ...(this.pendingApprovals > 0
        ? [
            {
              label: `Review ${this.pendingApprovals} proposed change${this.pendingApprovals === 1 ? '' : 's'}…`,
              click: () => this.actions.openApprovals(),
            },
          ]
        : []),
      {
        label: 'Pause all automation',
        type: 'checkbox',
        checked: this.automationPaused,
        click: (item) => this.actions.setAutomationPaused(item.checked),
      },
      { type: 'separator' },
      { label: 'Quit', click: () => this.actions.quit() },
    ])
    this.tray.setContextMenu(menu)
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

  /**
   * Show the automation state: "Pause all automation" ticked or not (changed here, on the page or by
   * the CLI) and how many changes wait for approval.
   */
  setAutomationState(paused: boolean, pendingApprovals: number): void {
    if (paused === this.automationPaused && pendingApprovals === this.pendingApprovals) return
    this.automationPaused = paused
    this.pendingApprovals = pendingApprovals
    this.render()
  }

  destroy(): void {
    this.tray.destroy()
  }
}
