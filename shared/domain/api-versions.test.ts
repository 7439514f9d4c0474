import { describe, expect, it } from 'vitest'
import { apiVersionNotice, PLATFORM_APIS, SUNSET_WARNING_DAYS } from './api-versions'
import { PLATFORMS } from './entities'

describe('API versions as data', () => {
  it('every platform names a current version it knows, with a base URL carrying the version', () => {
    for (const p of PLATFORMS) {
      const api = PLATFORM_APIS[p]
      expect(api.versions.map((v) => v.version)).toContain(api.current)
      expect(api.baseUrl(api.current)).toMatch(new RegExp(`/${api.current.replace('.', '\\.')}$`))
    }
    expect(PLATFORM_APIS.google_ads.current).toBe('v26')
  })

  it('warns from 60 days before a sunset and says plainly after it that the app needs an update (fixed clock)', () => {
    // Google Ads v22 sunset on 2026-10-07.
    expect(apiVersionNotice('google_ads', 'v22', new Date('2026-08-07T12:00:00Z'))).toBeNull()
    const soon = apiVersionNotice('google_ads', 'v22', new Date('2026-08-08T12:00:00Z'))
    expect(soon).toMatchObject({ level: 'warning', daysLeft: SUNSET_WARNING_DAYS })
    expect(soon?.message).toContain('Google Ads API v22 will be retired on 2026-10-07 (in 60 days)')
    expect(soon?.message).toContain('switch to v26')
    const after = apiVersionNotice('google_ads', 'v22', new Date('2026-10-07T00:00:00Z'))
    expect(after).toMatchObject({ level: 'error', daysLeft: 0 })
    expect(after?.message).toContain('this app needs an update')
    // Unknown sunset (not announced yet): nothing to say.
    expect(apiVersionNotice('google_ads', 'v26', new Date('2026-12-04T00:00:00Z'))).toBeNull()
    expect(apiVersionNotice('meta', 'v25.0', new Date('2027-01-01T00:00:00Z'))?.level).toBe('warning')
  })
})
