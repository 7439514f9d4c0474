import { basename, resolve } from 'node:path'
import type { SyncRequestInput } from '../../../shared/domain/sync-request'
import { PLATFORMS, type PlatformId } from '../../../shared/domain/entities'
import { isReportingDate, MAX_REPORTING_DATE, MIN_REPORTING_DATE } from '../../../shared/domain/dates'
import { microsToDecimalString } from '../../../shared/domain/money'
import { AppError } from '../../../shared/ipc/result'
import type { Core } from '../../main/core'
import { apiVersionNotice } from '../../../shared/domain/api-versions'
import { credentialsFromFlagsOrEnv } from '../../main/sync/credentials'
import { IMPORT_JOB } from '../../main/sync/module'
import type { SyncResult } from '../../main/sync/sync-engine/engine'
import { CliError, type ParsedArgs } from '../args'
import { progressToStderr, type CliCommand } from '../command'

const str = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.flags.get(name)
  if (v === true) throw new CliError(`--${name} needs a value`, 2)
  return v
}

/** Warn on stderr about API versions near or past their sunset (once per platform). */
function apiNoticesToStderr(core: Core, workspaceId: number): void {
  const { sync } = core.services
  const seen = new Set<string>()
  for (const c of sync.repo.connections(workspaceId)) {
    if (seen.has(c.platform)) continue
    seen.add(c.platform)
    const n = apiVersionNotice(c.platform, sync.config.apiVersion(c.platform), core.platform.clock.now())
    if (n) process.stderr.write(`${n.level}: ${n.message}\n`)
  }
}

const dateFlag = (args: ParsedArgs, name: string): string | undefined => {
  const v = str(args, name)
  if (v !== undefined && !isReportingDate(v))
    throw new CliError(
      `--${name} needs a date as YYYY-MM-DD between ${MIN_REPORTING_DATE} and ${MAX_REPORTING_DATE}, got ${JSON.stringify(v)}`,
      2,
    )
  return v
}

function workspaceByName(core: Core, name: string | undefined, create: boolean): number {
  if (name === undefined) {
    const demo = core.workspaces.list().find((w) => w.isDemo) ?? core.workspaces.list()[0]
    if (!demo) throw new CliError('There is no workspace yet: pass --workspace NAME', 2)
    return demo.id
  }
  const w = core.workspaces.findByName(name)
  if (w) return w.id
  if (!create) throw new CliError(`No workspace named ${JSON.stringify(name)} (see: npm run cli -- status)`, 2)
  return core.workspaces.create(name, core.platform.settings.get().reportingCurrency)
}

/** Resolve --account as a local id or a platform external id within the workspace. */
function accountIds(core: Core, workspaceId: number, arg: string | undefined): number[] | undefined {
  if (arg === undefined) return undefined
  const accounts = core.workspaces.accounts(workspaceId)
  const hit = accounts.find((a) => String(a.id) === arg || a.externalId === arg || a.externalId === `act_${arg}`)
  if (!hit)
    throw new CliError(
      `No account ${JSON.stringify(arg)} in this workspace (ids: ${accounts.map((a) => `${a.id}=${a.externalId}`).join(', ')})`,
      2,
    )
  return [hit.id]
}

async function waitForDemo(core: Core): Promise<void> {
  if (core.startupJobId !== null) {
    process.stderr.write('Building the demo workspace first...\n')
    const job = await core.jobs.waitFor(core.startupJobId)
    if (job.status !== 'succeeded') throw new CliError(`Demo build ${job.status}: ${job.error ?? ''}`)
  }
}

/** Where each credential comes from: the flag, else the environment variable. */
const CREDENTIAL_SOURCES: Record<PlatformId, Record<string, string>> = {
  meta: { accessToken: '--token or ME_META_TOKEN', accountIds: '--account-ids or ME_META_ACCOUNT_IDS' },
  google_ads: {
    developerToken: '--developer-token or ME_GOOGLE_ADS_DEVELOPER_TOKEN',
    clientId: '--client-id or ME_GOOGLE_ADS_CLIENT_ID',
    clientSecret: '--client-secret or ME_GOOGLE_ADS_CLIENT_SECRET',
    refreshToken: '--refresh-token or ME_GOOGLE_ADS_REFRESH_TOKEN (or --oauth)',
    customerIds: '--customer-ids or ME_GOOGLE_ADS_CUSTOMER_IDS',
  },
  tiktok: { accessToken: '--token or ME_TIKTOK_TOKEN', advertiserIds: '--advertiser-ids or ME_TIKTOK_ADVERTISER_IDS' },
  snapchat: {
    clientId: '--client-id or ME_SNAPCHAT_CLIENT_ID',
    clientSecret: '--client-secret or ME_SNAPCHAT_CLIENT_SECRET',
    refreshToken: '--refresh-token or ME_SNAPCHAT_REFRESH_TOKEN',
    adAccountIds: '--account-ids or ME_SNAPCHAT_AD_ACCOUNT_IDS',
  },
}

export const syncCommands: CliCommand[] = [
  {
    name: 'connect',
    role: 'admin',
    usage:
      'connect <platform> [--workspace NAME] [--token ..] [--account-ids ..]   Validate and save credentials (flags or ME_* env)',
    async run(core, args, caller) {
      const platform = args.positional[1] as PlatformId | undefined
      if (!platform || !(PLATFORMS as readonly string[]).includes(platform))
        throw new CliError(`connect needs a platform: ${PLATFORMS.join(' | ')}`, 2)
      const workspaceId = workspaceByName(core, str(args, 'workspace') ?? 'Main', true)
      const raw = credentialsFromFlagsOrEnv(platform, (f) => str(args, f))
      const missing = Object.entries(raw).filter(
        ([k, v]) => v === undefined && !(platform === 'google_ads' && k === 'refreshToken' && args.flags.has('oauth')),
      )
      if (missing.length) {
        throw new CliError(
          `connect ${platform}: missing ${missing.map(([k]) => `${k} (${CREDENTIAL_SOURCES[platform][k] ?? k})`).join(', ')}`,
          2,
        )
      }
      if (platform === 'google_ads' && args.flags.has('oauth')) {
        // Installed-app sign-in: the CLI cannot open a browser itself, so it prints the consent URL.
        core.platform.openExternal = async (url) => {
          process.stderr.write(`Open this URL in your browser to sign in to Google Ads:\n${url}\n`)
        }
        const { refreshToken: _r, platform: _p, ...rest } = raw as Record<string, unknown>
        const env = await core.dispatch('connections:connectGoogle', { workspaceId, ...rest }, caller)
        if (!env.ok) throw new CliError(`connect google_ads failed: ${env.error.message}`)
        console.log(JSON.stringify(env.value, null, 2))
        return
      }
      const baseUrl = str(args, 'base-url')
      const env = await core.dispatch(
        'connections:connect',
        {
          workspaceId,
          credentials: raw,
          ...(baseUrl ? { baseUrl } : {}),
        },
        caller,
      )
      if (!env.ok) throw new CliError(`connect ${platform} failed: ${env.error.message}`)
      console.log(JSON.stringify(env.value, null, 2))
    },
  },
  {
    name: 'sync',
    role: 'editor',
    usage:
      'sync [--workspace NAME] [--account ID] [--since YYYY-MM-DD] [--full]   Sync connected accounts (demo: simulated platforms)',
    coreOptions: { seedDemo: true },
    async run(core, args, caller) {
      await waitForDemo(core)
      const wsName = str(args, 'workspace')
      const workspaces = wsName
        ? [workspaceByName(core, wsName, false)]
        : core.workspaces
            .list()
            .filter((w) => core.workspaces.accounts(w.id).length > 0)
            .map((w) => w.id)
      const since = dateFlag(args, 'since')
      const results: unknown[] = []
      let failed = false
      for (const workspaceId of workspaces) {
        const ids = accountIds(core, workspaceId, str(args, 'account'))
        apiNoticesToStderr(core, workspaceId)
        const request: SyncRequestInput = {
          workspaceId,
          mode: args.flags.has('full') ? 'full' : 'incremental',
          ...(ids ? { accountIds: ids } : {}),
          ...(since ? { since } : {}),
        }
        const env = await core.dispatch('sync:start', request, caller)
        if (!env.ok) {
          if (!wsName && env.error.message.includes('no connected accounts')) continue
          throw new CliError(env.error.message)
        }
        const done = progressToStderr(core)
        const { jobId } = env.value as { jobId: number }
        const job = await core.jobs.waitFor(jobId)
        done()
        const run = core.services.sync.repo.runs(workspaceId, 1)[0]
        const r = core.jobs.result<SyncResult>(jobId)
        results.push({
          workspace: core.workspaces.get(workspaceId).name,
          jobId,
          status: r?.status ?? job.status,
          rowsWritten: run?.rowsWritten ?? 0,
          durationMs: run?.durationMs ?? null,
          accounts: run?.accounts ?? [],
        })
        if (job.status !== 'succeeded' || r?.status !== 'succeeded') {
          failed = true
          for (const a of run?.accounts ?? []) if (a.error) process.stderr.write(`error: ${a.name}: ${a.error}\n`)
          if (job.error) process.stderr.write(`error: ${job.error}\n`)
        }
      }
      if (results.length === 0)
        throw new CliError('No workspace has connected accounts: run `connect <platform>` first', 2)
      console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2))
      if (failed) process.exitCode = 1
    },
  },
  {
    name: 'import',
    role: 'editor',
    usage:
      'import <file.csv> [--mapping meta|google|auto] [--workspace NAME]   Import an Ads Manager / Google Ads CSV export',
    async run(core, args, caller) {
      const file = args.positional[1]
      if (!file) throw new CliError('import needs a CSV file', 2)
      const mapping = str(args, 'mapping') ?? 'auto'
      if (!['meta', 'google', 'auto'].includes(mapping))
        throw new CliError(`--mapping is meta, google or auto, got ${JSON.stringify(mapping)}`, 2)
      const workspaceId = workspaceByName(core, str(args, 'workspace') ?? 'Imported', true)
      // The core reads the file itself (no size limit of an inline call); its job keeps a copy.
      const input = { workspaceId, fileName: basename(file), path: resolve(file), mapping }
      const preview = await core.dispatch('import:preview', input, caller)
      if (!preview.ok) throw new CliError(preview.error.message)
      const p = preview.value as {
        errors: { row: number; column: string | null; message: string }[]
        adDays: number
        rowCount: number
      }
      if (p.errors.length) {
        for (const e of p.errors.slice(0, 20))
          process.stderr.write(`line ${e.row}${e.column ? ` [${e.column}]` : ''}: ${e.message}\n`)
        throw new CliError(`${file}: ${p.errors.length} error(s); nothing was imported`)
      }
      process.stderr.write(`${p.rowCount} lines -> ${p.adDays} ad-days\n`)
      const env = await core.dispatch('import:commit', input, caller)
      if (!env.ok) throw new CliError(env.error.message)
      const jobId = (env.value as { jobId: number }).jobId
      const done = progressToStderr(core)
      const job = await core.jobs.waitFor(jobId)
      done()
      if (job.status !== 'succeeded') throw new CliError(`Import ${job.status}: ${job.error ?? ''}`)
      console.log(
        JSON.stringify(
          {
            workspace: core.workspaces.get(workspaceId).name,
            kind: IMPORT_JOB,
            ...(core.jobs.result(jobId) as object),
          },
          null,
          2,
        ),
      )
    },
  },
  {
    name: 'totals',
    role: 'viewer',
    usage:
      'totals [--workspace NAME] [--account ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] --json   Summed metrics (money in currency units)',
    coreOptions: { claimStore: false },
    async run(core, args) {
      const workspaceId = workspaceByName(core, str(args, 'workspace'), false)
      const ids = accountIds(core, workspaceId, str(args, 'account'))
      const accounts = core.workspaces.accounts(workspaceId).filter((a) => !ids || ids.includes(a.id))
      const from = dateFlag(args, 'from') ?? MIN_REPORTING_DATE
      const to = dateFlag(args, 'to') ?? MAX_REPORTING_DATE
      const currencies = new Set(accounts.map((a) => a.currency))
      let out: Record<string, number | string>
      if (currencies.size <= 1) {
        // One currency: exact sums in that currency, no conversion (the dashboard's own sums).
        const scope = { workspaceId, accountIds: accounts.map((a) => a.id) }
        const t = accounts.length
          ? core.dashboard.totalsByCurrency(scope, { from, to }).get([...currencies][0] as string)
          : undefined
        const r = {
          spend: t?.spendMicros ?? 0,
          impressions: t?.impressions ?? 0,
          clicks: t?.clicks ?? 0,
          conversions: t?.conversions ?? 0,
          value: t?.revenueMicros ?? 0,
        }
        out = {
          spend: Number(microsToDecimalString(r.spend)),
          impressions: r.impressions,
          clicks: r.clicks,
          conversions: Math.round(r.conversions * 1e6) / 1e6,
          conversion_value: Number(microsToDecimalString(r.value)),
          currency: [...currencies][0] ?? core.workspaces.get(workspaceId).reportingCurrency,
        }
      } else {
        try {
          const t = core.dashboard.totals({ workspaceId, accountIds: accounts.map((a) => a.id) }, { from, to })
          out = {
            spend: Number(microsToDecimalString(t.totals.spendMicros)),
            impressions: t.totals.impressions,
            clicks: t.totals.clicks,
            conversions: t.totals.conversions,
            conversion_value: Number(microsToDecimalString(t.totals.revenueMicros)),
            currency: t.currency,
          }
        } catch (err) {
          throw new CliError(err instanceof AppError ? err.message : String(err))
        }
      }
      console.log(args.flags.has('json') ? JSON.stringify(out) : JSON.stringify(out, null, 2))
    },
  },
]
