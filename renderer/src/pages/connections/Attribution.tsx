import type { JSX } from 'react'
import type { MetaAttribution, SnapchatAttribution } from '../../../../shared/domain/attribution'
import { PLATFORMS, PLATFORM_LABELS } from '../../../../shared/domain/entities'
import { useSyncConfig } from './use-sync-config'

/** Snapchat windows a user may pin (value: "SWIPE/VIEW"; '' = the ad account's own setting). */
const SNAPCHAT_CHOICES: { value: string; label: string }[] = [
  { value: '', label: "Ad account's setting (as in Ads Manager)" },
  { value: '28_DAY/1_DAY', label: '28-day swipe, 1-day view' },
  { value: '28_DAY/7_DAY', label: '28-day swipe, 7-day view' },
  { value: '7_DAY/1_DAY', label: '7-day swipe, 1-day view' },
  { value: '7_DAY/NONE', label: '7-day swipe, no view-through' },
  { value: '1_DAY/1_DAY', label: '1-day swipe, 1-day view' },
  { value: '1_DAY/NONE', label: '1-day swipe, no view-through' },
]

/** Meta windows a user may pin (value: "CLICK/VIEW"; '' = each ad set's own setting). */
const META_CHOICES: { value: string; label: string }[] = [
  { value: '', label: "Each ad set's setting (as in Ads Manager)" },
  { value: '7d_click/1d_view', label: '7-day click or 1-day view' },
  { value: '7d_click/none', label: '7-day click, no view-through' },
  { value: '1d_click/1d_view', label: '1-day click or 1-day view' },
  { value: '1d_click/none', label: '1-day click, no view-through' },
  { value: '28d_click/1d_view', label: '28-day click or 1-day view' },
  { value: '7d_click/1d_ev', label: '7-day click or 1-day engaged view' },
]

/**
 * Advanced: which attribution each platform's conversions are counted with. By default every
 * platform's own setting, so totals match its manager; Meta's and Snapchat's APIs also take a pinned
 * window (TikTok's and Google's do not: their windows are set on ad groups and conversion actions).
 */
export function Attribution({ onChanged }: { onChanged: () => void }): JSX.Element {
  const { config, error, update } = useSyncConfig(onChanged)

  const pin = async (value: string): Promise<void> => {
    const [swipe, view] = value.split('/')
    await update({ attribution: { snapchat: value ? ({ swipe, view } as SnapchatAttribution) : null } })
  }

  const pinMeta = async (value: string): Promise<void> => {
    const [click, view] = value.split('/')
    await update({ attribution: { meta: value ? ({ click, view } as MetaAttribution) : null } })
  }

  const pinned = config?.attribution?.snapchat
  const metaPinned = config?.attribution?.meta
  return (
    <details data-testid="attribution">
      <summary>Attribution (advanced)</summary>
      <p className="field__hint">
        Conversions follow each platform&apos;s own attribution setting, so totals match its ads manager. Days already
        synced keep the attribution they were counted with until they are synced again; the dashboard says when a date
        range mixes two.
      </p>
      {error ? <p className="field__error">{error}</p> : null}
      {config ? (
        <table className="table">
          <thead>
            <tr>
              <th>Platform</th>
              <th>Conversions counted with</th>
            </tr>
          </thead>
          <tbody>
            {PLATFORMS.map((p) => (
              <tr key={p}>
                <td>{PLATFORM_LABELS[p]}</td>
                <td>
                  {p === 'meta' ? (
                    <select
                      className="select"
                      aria-label="Meta attribution window"
                      value={metaPinned ? `${metaPinned.click}/${metaPinned.view}` : ''}
                      onChange={(e) => void pinMeta(e.target.value)}
                    >
                      {META_CHOICES.map((c) => (
                        <option key={c.value} value={c.value}>
                          {c.label}
                        </option>
                      ))}
                    </select>
                  ) : p === 'snapchat' ? (
                    <select
                      className="select"
                      aria-label="Snapchat attribution window"
                      value={pinned ? `${pinned.swipe}/${pinned.view}` : ''}
                      onChange={(e) => void pin(e.target.value)}
                    >
                      {SNAPCHAT_CHOICES.map((c) => (
                        <option key={c.value} value={c.value}>
                          {c.label}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span data-testid={`attribution-${p}`}>{config.effective.attribution[p]?.label}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </details>
  )
}
