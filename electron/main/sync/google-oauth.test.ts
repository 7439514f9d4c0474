import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { googleLoopbackOAuth } from './google-oauth'

const b64url = (b: Buffer): string => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

describe('Google OAuth for installed apps (loopback + PKCE)', () => {
  it('opens the consent page, receives the code on 127.0.0.1 and exchanges it with the PKCE verifier', async () => {
    let challenge = ''
    let exchanged: URLSearchParams | null = null
    const result = await googleLoopbackOAuth({
      clientId: 'client-1',
      clientSecret: 'secret-1',
      tokenUrl: 'https://oauth.test/token',
      openExternal: async (url) => {
        // The "browser": Google redirects back to the loopback address with the code and state.
        const u = new URL(url)
        expect(u.searchParams.get('code_challenge_method')).toBe('S256')
        expect(u.searchParams.get('access_type')).toBe('offline')
        expect(u.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/adwords')
        challenge = u.searchParams.get('code_challenge') ?? ''
        const redirect = u.searchParams.get('redirect_uri') as string
        expect(redirect).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        const page = await fetch(`${redirect}/?code=auth-code-9&state=${u.searchParams.get('state')}`)
        expect(await page.text()).toMatch(/Signed in/)
      },
      fetch: async (_url, init) => {
        exchanged = new URLSearchParams(String(init?.body))
        return new Response(JSON.stringify({ access_token: 'a', refresh_token: 'refresh-xyz', expires_in: 3599 }), {
          status: 200,
        })
      },
    })
    expect(result).toEqual({ refreshToken: 'refresh-xyz' })
    const p = exchanged as URLSearchParams | null
    expect(p?.get('grant_type')).toBe('authorization_code')
    expect(p?.get('code')).toBe('auth-code-9')
    // The verifier sent to the token endpoint hashes to the challenge sent to the browser.
    expect(
      b64url(
        createHash('sha256')
          .update(p?.get('code_verifier') ?? '')
          .digest(),
      ),
    ).toBe(challenge)
  })

  it('refuses a redirect with the wrong state and reports a cancelled sign-in', async () => {
    await expect(
      googleLoopbackOAuth({
        clientId: 'c',
        clientSecret: 's',
        tokenUrl: 'https://oauth.test/token',
        openExternal: async (url) => {
          const u = new URL(url)
          const redirect = u.searchParams.get('redirect_uri') as string
          expect((await fetch(`${redirect}/?code=x&state=forged`)).status).toBe(400)
          await fetch(`${redirect}/?error=access_denied&state=${u.searchParams.get('state')}`)
        },
        fetch: async () => new Response('{}'),
      }),
    ).rejects.toThrow(/access_denied/)
  })
})
