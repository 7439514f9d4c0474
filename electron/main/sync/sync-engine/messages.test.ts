import { describe, expect, it } from 'vitest'
import { classifyMeta } from '../connectors/meta/meta-protocol'
import { ConnectorError } from '../connectors/types'
import { describeError } from './engine'

describe('honest sync messages', () => {
  it('a permanent error says what to do instead of "will retry", keeping the platform text that names the field', () => {
    const err = new ConnectorError(
      'bad_request',
      'google_ads',
      "Google daily metrics 2026-11-01..2026-11-30: INVALID_ARGUMENT: Unrecognized field in the query: 'metrics.video_views'. (queryError=UNRECOGNIZED_FIELD)",
    )
    const d = describeError(err)
    expect(d.message).toContain("Unrecognized field in the query: 'metrics.video_views'.")
    expect(d.message).toContain('retrying will not help')
    expect(d.message).not.toContain('will retry')
    expect(describeError(new ConnectorError('permission', 'meta', 'x')).message).toContain('still has access')
    expect(describeError(new ConnectorError('auth', 'meta', 'x')).status).toBe('needs_reconnect')
  })

  it("says Meta's code once (with its subcode), not the code again from Graph's own text", () => {
    const signal = classifyMeta({
      status: 400,
      json: {
        error: {
          message: '(#80000) There have been too many calls from this ad-account. Wait a bit and try again.',
          type: 'OAuthException',
          code: 80000,
          error_subcode: 2446079,
        },
      },
      text: '',
      headers: new Headers(),
    })
    expect(signal?.message).toBe(
      '(#80000/2446079) There have been too many calls from this ad-account. Wait a bit and try again.',
    )
  })
})
