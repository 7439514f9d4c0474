import { app, session, shell, type WebContents } from 'electron'
import { allowPermission, externalLink, isAppUrl, type AppOrigin } from './hardening-policy'

/** Navigation, new windows and webviews of one webContents: only the app, https links to the browser. */
export function guardWebContents(contents: WebContents, origin: AppOrigin): void {
  contents.setWindowOpenHandler(({ url }) => {
    const link = externalLink(url)
    if (link) void shell.openExternal(link)
    return { action: 'deny' }
  })
  const stayInApp = (e: { preventDefault(): void }, url: string): void => {
    if (!isAppUrl(url, origin)) e.preventDefault()
  }
  contents.on('will-navigate', stayInApp)
  contents.on('will-frame-navigate', (e) => {
    if (!isAppUrl(e.url, origin)) e.preventDefault()
  })
  contents.on('will-redirect', stayInApp)
  contents.on('will-attach-webview', (e) => e.preventDefault())
}

/**
 * App-wide hardening, before any window exists: every permission request and check is denied
 * unless listed in GRANTED_PERMISSIONS (none), and every webContents created from now on (windows,
 * devtools, anything a page manages to open) gets the navigation guards.
 */
export function hardenApp(origin: AppOrigin): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((contents, permission, callback) => {
    callback(allowPermission(permission, contents.getURL(), origin))
  })
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    allowPermission(permission, requestingOrigin, origin),
  )
  app.on('web-contents-created', (_e, contents) => guardWebContents(contents, origin))
}
