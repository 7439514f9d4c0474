import type { PlatformId } from '../../../../shared/domain/entities'
import { classifyOAuth, TokenResponseSchema } from './google-ads/google-protocol'
import { HttpClient } from './http'
import { ConnectorError, type ConnectorContext } from './types'

/**
 * Access tokens from a refresh-token grant (Google, Snapchat), cached until a minute before
 * expiry. Falls back to a static `credentials.accessToken` when no refresh token is configured.
 */
export class OAuthTokens {
  private token: string | null = null
  private expiresAt = 0
  /** The refresh in flight: concurrent callers share it (a rotated refresh token is used once). */
  private refreshing: Promise<string> | null = null
  private readonly http: HttpClient
  /** The refresh token in force: the configured one, then each one the platform rotated to. */
  private refreshToken: string | undefined

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly platform: PlatformId,
  ) {
    this.http = new HttpClient(ctx, classifyOAuth(platform))
    this.refreshToken = ctx.credentials.refreshToken
  }

  /** Whether a new token can be obtained after an auth error. */
  get canRefresh(): boolean {
    return Boolean(this.refreshToken)
  }

  /** A valid access token (refreshing when needed). */
  async get(): Promise<string> {
    const now = (this.ctx.now?.() ?? new Date()).getTime()
    if (this.token !== null && now < this.expiresAt) return this.token
    const c = this.ctx.credentials
    if (!this.refreshToken) {
      if (c.accessToken) return c.accessToken
      throw new ConnectorError('auth', this.platform, 'No refresh token or access token configured')
    }
    if (!this.ctx.tokenUrl) throw new ConnectorError('bad_request', this.platform, 'No OAuth token URL configured')
    if (!this.refreshing)
      this.refreshing = this.refresh(now).finally(() => {
        this.refreshing = null
      })
    return this.refreshing
  }

  private async refresh(now: number): Promise<string> {
    const c = this.ctx.credentials
    const tokenUrl = this.ctx.tokenUrl as string
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: this.refreshToken ?? '',
      client_id: c.clientId ?? '',
      client_secret: c.clientSecret ?? '',
    })
    const res = await this.http.request({
      method: 'POST',
      url: tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      schema: TokenResponseSchema,
      what: 'OAuth token refresh',
    })
    if (res.refresh_token && res.refresh_token !== this.refreshToken) {
      // The platform rotated the refresh token (the old one may stop working at once): use the new
      // one from now on and persist it before the access token is handed out.
      this.refreshToken = res.refresh_token
      await this.ctx.onCredentialsChanged?.({ refreshToken: res.refresh_token })
    }
    this.token = res.access_token
    this.expiresAt = now + Math.max(0, (res.expires_in ?? 3600) - 60) * 1000
    return this.token
  }

  /** Forget the cached token (after the API said it is no longer valid). */
  invalidate(): void {
    this.token = null
    this.expiresAt = 0
  }

  /** Run `call` with a token; on an auth error refresh once and retry. */
  async withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.get()
    try {
      return await call(token)
    } catch (e) {
      if (!(e instanceof ConnectorError) || e.kind !== 'auth' || !this.canRefresh) throw e
      this.invalidate()
      return call(await this.get())
    }
  }
}
