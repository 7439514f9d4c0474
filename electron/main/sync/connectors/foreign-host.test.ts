import { describe, expect, it } from 'vitest'
import type { PlatformId } from '../../../../shared/domain/entities'
import { simulatedFetch } from '../simulated'
import { createConnector } from './index'
import { simContext, testPlatforms, TEST_CREDENTIALS } from './test-support'
import { ConnectorError, type Connector } from './types'

/**
 * Credentials stay with their platform, per connector: a response (a compromised API, a proxy)
 * that points the next request at another host, by a paging URL or by a redirect, is refused
 * before anything is sent there, and no token reaches that host.
 */

const EVIL = 'https://evil.example'

interface Sent {
  url: string
  headers: Record<string, string>
  body: string
}

/** The simulated platform behind a fetch that records every request and lets a test tamper with answers. */
function tampered(
  platform: PlatformId,
  tamper: (url: URL, res: Response) => Promise<Response | undefined>,
): { connector: Connector; sent: Sent[] } {
  const sim = testPlatforms()
  const inner = simulatedFetch(sim.handlers)
  const sent: Sent[] = []
  const f: typeof fetch = async (input, init) => {
    const req = new Request(input, init)
    sent.push({
      url: req.url,
      headers: Object.fromEntries(req.headers),
      body: init?.body === undefined ? '' : String(init.body),
    })
    if (new URL(req.url).origin === EVIL) return new Response('{"data":[]}', { status: 200 })
    const res = await inner(input, init)
    return (await tamper(new URL(req.url), res)) ?? res
  }
  return { connector: createConnector(platform, { ...simContext(platform, sim), fetch: f }), sent }
}

async function withJson(res: Response, edit: (body: Record<string, unknown>) => void): Promise<Response> {
  const body = (await res.json()) as Record<string, unknown>
  edit(body)
  return new Response(JSON.stringify(body), { status: res.status, headers: res.headers })
}

function redirectOnce(match: RegExp): (url: URL) => Promise<Response | undefined> {
  let done = false
  return async (url) => {
    if (done || !match.test(url.pathname)) return undefined
    done = true
    return new Response(null, { status: 302, headers: { location: `${EVIL}${url.pathname}${url.search}` } })
  }
}

async function refusal(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConnectorError)
  return err as ConnectorError
}

/** Nothing went to the other host, and no secret of the platform's credentials left in any request to it. */
function expectNothingSentAway(platform: PlatformId, sent: Sent[]): void {
  const away = sent.filter((s) => new URL(s.url).origin === EVIL)
  expect(away).toEqual([])
  for (const s of sent) expect(new URL(s.url).hostname).not.toBe('evil.example')
  expect(sent.length).toBeGreaterThan(0)
  // The token did travel, to the platform only.
  const secrets = Object.values(TEST_CREDENTIALS[platform])
  const leaked = away.filter((s) => secrets.some((v) => JSON.stringify(s).includes(v)))
  expect(leaked).toEqual([])
}

describe('credentials stay with their platform', () => {
  it('Meta: a paging.next URL to another host is refused and the token is not sent', async () => {
    const { connector, sent } = tampered('meta', async (url, res) =>
      /\/campaigns$/.test(url.pathname)
        ? withJson(res, (b) => {
            b.paging = { cursors: {}, next: `${EVIL}/v21.0${url.pathname}?after=x` }
          })
        : undefined,
    )
    const [account] = await connector.listAccounts()
    const err = await refusal(connector.listCampaigns(account as never))
    expect(err.detail.code).toBe('foreign_host')
    expect(err.message).toMatch(/refused to send a request to https:\/\/evil\.example/)
    expectNothingSentAway('meta', sent)
    expect(sent.some((s) => s.headers.authorization === 'Bearer meta-token')).toBe(true)
  })

  it('Snapchat: a paging.next_link URL to another host is refused and the token is not sent', async () => {
    const { connector, sent } = tampered('snapchat', async (url, res) =>
      /\/campaigns$/.test(url.pathname)
        ? withJson(res, (b) => {
            b.paging = { next_link: `${EVIL}/v1${url.pathname}?cursor=x` }
          })
        : undefined,
    )
    const [account] = await connector.listAccounts()
    const err = await refusal(connector.listCampaigns(account as never))
    expect(err.detail.code).toBe('foreign_host')
    expectNothingSentAway('snapchat', sent)
  })

  it('Google Ads: a redirect to another host is not followed and the tokens are not sent', async () => {
    const { connector, sent } = tampered('google_ads', redirectOnce(/searchStream$/))
    const err = await refusal(connector.listAccounts())
    expect(err.detail.code).toBe('redirect')
    expect(err.message).toContain('evil.example')
    expectNothingSentAway('google_ads', sent)
  })

  it('TikTok: a redirect to another host is not followed and the Access-Token is not sent', async () => {
    const { connector, sent } = tampered('tiktok', redirectOnce(/campaign\/get\/?$/))
    const [account] = await connector.listAccounts()
    const err = await refusal(connector.listCampaigns(account as never))
    expect(err.detail.code).toBe('redirect')
    expectNothingSentAway('tiktok', sent)
  })

  it('Meta and Snapchat: a redirect is refused too', async () => {
    for (const platform of ['meta', 'snapchat'] as const) {
      const { connector, sent } = tampered(platform, redirectOnce(/\/campaigns$/))
      const [account] = await connector.listAccounts()
      const err = await refusal(connector.listCampaigns(account as never))
      expect(err.detail.code, platform).toBe('redirect')
      expectNothingSentAway(platform, sent)
    }
  })
})
