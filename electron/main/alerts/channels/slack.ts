import {
  absoluteAppLink,
  ALERT_SOURCE_LABELS,
  formatAlertNumber,
  SEVERITY_COLOURS,
  SEVERITY_LABELS,
  type Alert,
} from '../../../../shared/domain/alerts'
import { alertSubject, digestOrder, entityLine, messageSeverity } from '../render'
import type { AlertMessage, Channel, RenderOptions } from '../types'
import { classifyHttp, describeUrl, postJson, refusedUrl, type HttpDeps } from './http'

/** The incoming-webhook URL (a secret: whoever has it can post to the channel). */
export interface SlackChannelConfig {
  url: string
}

/** Slack mrkdwn needs &, < and > escaped; this also stops `<!channel>` and link injection. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

type Block = Record<string, unknown>

/** Slack accepts button URLs it can open in a browser; other app links are shown as text. */
function linkBlock(a: Alert, render: RenderOptions): Block {
  const url = absoluteAppLink(a.link, render.appUrl)
  if (/^https?:\/\//.test(url))
    return {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: cut(`Open in ${render.appName}`, 75) },
          url,
          ...(a.severity === 'error' || a.severity === 'critical' ? { style: 'danger' } : {}),
        },
      ],
    }
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: cut(`Open in ${slackEscape(render.appName)}: \`${url}\``, 3000) }],
  }
}

function alertBlocks(a: Alert, render: RenderOptions, withHeader: boolean): Block[] {
  const meta = [`*${SEVERITY_LABELS[a.severity]}*`, ALERT_SOURCE_LABELS[a.source]]
  const entity = entityLine(a)
  if (entity) meta.push(slackEscape(entity))
  if (a.count > 1) meta.push(`raised ${a.count} times`)
  const blocks: Block[] = []
  if (withHeader) blocks.push({ type: 'header', text: { type: 'plain_text', text: cut(a.title, 150) } })
  else blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*${slackEscape(a.title)}*`, 3000) } })
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(meta.join(' · '), 3000) }] })
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(a.body), 3000) } })
  if (a.numbers.length)
    blocks.push({
      type: 'section',
      fields: a.numbers.slice(0, 10).map((n) => ({
        type: 'mrkdwn',
        text: cut(`*${slackEscape(n.label)}*\n${slackEscape(formatAlertNumber(n))}`, 2000),
      })),
    })
  blocks.push(linkBlock(a, render))
  return blocks
}

/** Slack allows 50 blocks per message; a digest shows what fits and counts the rest. */
const MAX_BLOCKS = 48

/**
 * A Block Kit message: the severity colour on the attachment bar, the title, the numbers as fields
 * and a button back to the app. `text` is the notification fallback.
 */
export function slackPayload(message: AlertMessage, render: RenderOptions): Record<string, unknown> {
  const colour = SEVERITY_COLOURS[messageSeverity(message)]
  let blocks: Block[]
  if (!message.digest && message.alerts.length === 1) blocks = alertBlocks(message.alerts[0]!, render, true)
  else {
    const alerts = digestOrder(message.alerts)
    blocks = [{ type: 'header', text: { type: 'plain_text', text: cut(`${alerts.length} alerts`, 150) } }]
    let shown = 0
    for (const a of alerts) {
      const next = [{ type: 'divider' }, ...alertBlocks(a, render, false)]
      if (blocks.length + next.length > MAX_BLOCKS - 1) break
      blocks.push(...next)
      shown++
    }
    if (shown < alerts.length)
      blocks.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `…and ${alerts.length - shown} more in ${slackEscape(render.appName)}` }],
      })
  }
  return { text: cut(alertSubject(message, render), 3000), attachments: [{ color: colour, blocks }] }
}

const SLACK_4XX: Record<string, string> = {
  invalid_payload: 'Slack refused the message format',
  invalid_blocks: 'Slack refused the message format',
  no_service: 'this Slack webhook no longer exists: create a new incoming webhook and paste its URL',
  no_team: 'the Slack workspace of this webhook no longer exists',
  team_disabled: 'the Slack workspace of this webhook is disabled',
  channel_not_found: 'the Slack channel of this webhook no longer exists',
  channel_is_archived: 'the Slack channel of this webhook is archived',
  action_prohibited: 'a Slack admin blocked posting through this webhook',
  invalid_token: 'this Slack webhook URL is no longer valid: create a new incoming webhook',
}

export function createSlackChannel(render: RenderOptions, deps: HttpDeps): Channel<SlackChannelConfig> {
  return {
    kind: 'slack',
    async send(message, config, signal) {
      const refused = refusedUrl(config.url, 'Slack webhook URL')
      if (refused) return refused
      const where = `Slack (${describeUrl(config.url)})`
      const out = await postJson(config.url, JSON.stringify(slackPayload(message, render)), {}, signal, deps)
      return classifyHttp(out, 'Slack', where, (status, body) => {
        const known = SLACK_4XX[body]
        if (known) return `Slack answered ${status} ${body}: ${known}`
        if (status === 404)
          return `Slack answered 404${body ? ` ${body}` : ''}: this webhook URL does not exist; check it or create a new incoming webhook`
        return null
      })
    },
  }
}
