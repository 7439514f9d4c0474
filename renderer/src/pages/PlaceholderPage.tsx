import type { JSX } from 'react'
import { Icon } from '../components/Icon'
import { PageFrame } from '../components/PageFrame'
import type { RouteId } from '../lib/routes'
import { useRouterStore } from '../stores/router-store'

export type PlaceholderRoute = Exclude<
  RouteId,
  'dashboard' | 'settings' | 'anomalies' | 'experiments' | 'automation' | 'recommendations' | 'alerts' | 'diagnostics'
>

interface Copy {
  headline: string
  body: string
  /** What the user can already rely on today. */
  today: string
  bullets: string[]
}

/** Honest copy: what each page will do, and that this version does not do it yet. */
const COPY: Record<PlaceholderRoute, Copy> = {
  campaigns: {
    headline: 'The campaign explorer is coming next',
    body: 'The campaign explorer — sort, filter and drill from campaigns to ad sets to ads — arrives in the next release, with every KPI side by side across Meta, Google Ads, TikTok and Snapchat.',
    today: 'Your synced data is already stored locally. The dashboard totals are built from it.',
    bullets: ['Sortable table of every campaign', 'Drill-down to ad sets and ads', 'Saved filters and column sets'],
  },
  creatives: {
    headline: 'Creative performance is not built yet',
    body: 'A gallery of your ads with thumbnails, fatigue signals and format comparisons (image, video, carousel) is planned for a later release.',
    today: 'Ad-level numbers are already synced and stored locally.',
    bullets: ['Thumbnails with spend and ROAS', 'Fatigue and frequency warnings', 'Format and hook comparisons'],
  },
  predictions: {
    headline: 'Predictions are not built yet',
    body: 'Forecasts of spend, revenue and conversions for the rest of the month, with confidence ranges, are planned for a later release.',
    today: 'The history they will learn from is already being collected.',
    bullets: ['Month-end pacing forecast', 'Confidence bands', 'Expected effect of budget changes'],
  },
  reports: {
    headline: 'Reports are not built yet',
    body: 'Scheduled PDF and CSV reports for stakeholders, built from the same numbers as the dashboard, arrive in a later release.',
    today: 'The dashboard shows the same totals a report will contain.',
    bullets: ['PDF and CSV exports', 'Weekly and monthly schedules', 'Your logo and commentary'],
  },
  connections: {
    headline: 'Account connections are not built yet',
    body: 'Connecting Meta, Google Ads, TikTok and Snapchat accounts, and reconnecting expired ones, will be managed here in a later release.',
    today: 'This version works with the demo workspace, rebuilt from Settings.',
    bullets: ['Sign in with each ad platform', 'Choose which ad accounts to sync', 'Reconnect when access expires'],
  },
}

export function PlaceholderPage({ id }: { id: PlaceholderRoute }): JSX.Element {
  const copy = COPY[id]
  const navigate = useRouterStore((s) => s.navigate)
  return (
    <PageFrame id={id} meta={<span className="badge">Not in this version</span>}>
      <section className="card placeholder" aria-labelledby={`${id}-headline`}>
        <div className="placeholder__icon">
          <Icon name={id} size={22} />
        </div>
        <h2 id={`${id}-headline`}>{copy.headline}</h2>
        <p className="placeholder__body">{copy.body}</p>
        <ul className="placeholder__list">
          {copy.bullets.map((b) => (
            <li key={b}>
              <Icon name="check" size={14} />
              {b}
            </li>
          ))}
        </ul>
        <p className="placeholder__today">
          <Icon name="info" size={14} />
          {copy.today}
        </p>
        <div className="placeholder__actions">
          <button type="button" className="btn" onClick={() => navigate('dashboard')}>
            Go to the dashboard
          </button>
        </div>
      </section>
    </PageFrame>
  )
}
