import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createTestCore, TEST_CALLER } from '../test-support'
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

describe('Google sign-in listeners do not pile up', () => {
  it('an aborted sign-in rejects at once and its loopback port stops answering', async () => {
    const ctl = new AbortController()
    let redirect = ''
    const opened = new Promise<void>((done) => {
      void googleLoopbackOAuth({
        clientId: 'c',
        clientSecret: 's',
        tokenUrl: 'https://oauth.test/token',
        signal: ctl.signal,
        openExternal: async (url) => {
          redirect = new URL(url).searchParams.get('redirect_uri') as string
          done()
        },
        fetch: async () => new Response('{}'),
      }).catch((err: Error) => {
        failure = err
      })
    })
    let failure: Error | null = null
    await opened
    // Listening while the browser has not answered.
    expect((await fetch(`${redirect}/nothing`)).status).toBe(404)
    ctl.abort()
    await expect.poll(() => failure?.message).toMatch(/replaced by a newer sign-in/)
    await expect(fetch(`${redirect}/nothing`)).rejects.toThrow()
  })

  it('a second connectGoogle through the core supersedes the first (one listener at a time)', async () => {
    const urls: string[] = []
    let notify: (() => void) | null = null
    const core = createTestCore()
    core.platform.openExternal = async (url: string) => {
      urls.push(new URL(url).searchParams.get('redirect_uri') as string)
      notify?.()
    }
    try {
      const input = {
        workspaceId: core.workspaces.create('Google', 'USD'),
        developerToken: 'dev',
        clientId: 'c',
        clientSecret: 's',
        customerIds: ['1234567890'],
      }
      const waitForOpen = (n: number): Promise<void> =>
        new Promise((done) => {
          notify = () => urls.length >= n && done()
          if (urls.length >= n) done()
        })
      const first = core.dispatch('connections:connectGoogle', input, TEST_CALLER)
      const early = await Promise.race([first, waitForOpen(1).then(() => 'opened')])
      expect(early).toBe('opened')
      const second = core.dispatch('connections:connectGoogle', input, TEST_CALLER)
      await waitForOpen(2)
      const r1 = await first
      expect(r1.ok).toBe(false)
      expect(!r1.ok && r1.error.message).toMatch(/replaced by a newer sign-in/)
      await expect(fetch(`${urls[0]}/x`)).rejects.toThrow()
      expect((await fetch(`${urls[1]}/x`)).status).toBe(404)
      await core.close()
      const r2 = await second
      expect(r2.ok).toBe(false)
      await expect(fetch(`${urls[1]}/x`)).rejects.toThrow()
    } finally {
      await core.close().catch(() => {})
    }
  })
})
