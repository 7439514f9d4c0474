import type { Sqlite } from '../db'

/** Deterministic pseudo-random numbers in [0, 1) for tests (no Math.random in tests). */
export function lcg(seed: number): () => number {
  let x = seed
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648
    return x / 2147483648
  }
}

/** One campaign of a seeded account, with its single ad set and ad. */
export interface SeededCampaign {
  campaignId: number
  adSetId: number
  adId: number
}

/** A USD Meta account in `workspaceId` with `campaigns` campaigns of one ad set and one ad each (tests). */
export function seedAccount(
  s: Sqlite,
  workspaceId: number,
  externalId: string,
  campaigns: number,
): { accountId: number; campaigns: SeededCampaign[] } {
  const accountId = Number(
    s
      .prepare(
        "INSERT INTO ad_accounts (workspace_id, platform, external_id, name, currency, time_zone) VALUES (?, 'meta', ?, ?, 'USD', 'UTC')",
      )
      .run(workspaceId, externalId, externalId.toUpperCase()).lastInsertRowid,
  )
  const camp = s.prepare(
    "INSERT INTO campaigns (account_id, external_id, name, objective, status) VALUES (?, ?, ?, 'sales', 'active')",
  )
  const set = s.prepare(
    "INSERT INTO ad_sets (account_id, campaign_id, external_id, name, status) VALUES (?, ?, ?, 'S', 'active')",
  )
  const ad = s.prepare(
    "INSERT INTO ads (account_id, campaign_id, ad_set_id, external_id, name, status) VALUES (?, ?, ?, ?, 'Ad', 'active')",
  )
  const out: SeededCampaign[] = []
  for (let i = 0; i < campaigns; i++) {
    const campaignId = Number(camp.run(accountId, `c${i}`, `C${i}`).lastInsertRowid)
    const adSetId = Number(set.run(accountId, campaignId, `s${i}`).lastInsertRowid)
    const adId = Number(ad.run(accountId, campaignId, adSetId, `a${i}`).lastInsertRowid)
    out.push({ campaignId, adSetId, adId })
  }
  return { accountId, campaigns: out }
}
