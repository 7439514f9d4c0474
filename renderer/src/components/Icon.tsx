import type { JSX } from 'react'

/** Stroke icons on a 16px grid; paths only, so they inherit `currentColor`. */
const PATHS = {
  dashboard: 'M2.5 2.5h4.5v5.5H2.5zM9 2.5h4.5V6H9zM9 8h4.5v5.5H9zM2.5 10H7v3.5H2.5z',
  campaigns: 'M2.5 6.5v3l7 3.5v-10zM9.5 3v10M12 6.2a2.2 2.2 0 0 1 0 3.6M4.5 9.8l.8 3.7h1.9l-.6-3',
  creatives: 'M2.5 3h11v10h-11zM2.5 10.5l3.2-3.2 2.8 2.8 1.8-1.8 3.2 3.2M10.25 5.75h.01',
  recommendations: 'M8 1.75a4.25 4.25 0 0 0-2.5 7.7V11h5V9.45A4.25 4.25 0 0 0 8 1.75zM6 13.25h4M6.75 14.75h2.5',
  predictions: 'M2.5 13.5h11M3 11l3-3.5 2.5 2 4.5-5.5M10.5 4h2.5v2.5',
  automation: 'M8.75 1.75 3.5 9h4l-.75 5.25L12.5 7h-4z',
  alerts: 'M4 11.5V7.25a4 4 0 0 1 8 0v4.25l1 1H3zM6.75 14.25h2.5',
  reports: 'M4 1.75h5.5L12.5 4.75v9.5h-8.5zM9.25 1.75V5h3.25M6 8.5h4.5M6 11h4.5',
  connections:
    'M6.5 9.5l3-3M7.25 4.25l1.5-1.5a2.47 2.47 0 0 1 3.5 3.5l-1.5 1.5M8.75 11.75l-1.5 1.5a2.47 2.47 0 0 1-3.5-3.5l1.5-1.5',
  settings:
    'M8 10.25a2.25 2.25 0 1 0 0-4.5 2.25 2.25 0 0 0 0 4.5zM13 9.4l1.25.95-1.25 2.2-1.45-.6a5 5 0 0 1-1.3.75L10 14.25H7.5l-.25-1.55a5 5 0 0 1-1.3-.75l-1.45.6-1.25-2.2L4.5 9.4a5 5 0 0 1 0-1.5L3.25 6.95l1.25-2.2 1.45.6a5 5 0 0 1 1.3-.75L7.5 3h2.5l.25 1.6a5 5 0 0 1 1.3.75l1.45-.6 1.25 2.2L13 7.9a5 5 0 0 1 0 1.5z',
  anomalies: 'M1.75 9.5h2.5l1.5-5 2.5 9 2-6.5 1 2.5h3',
  // A flask: A/B tests.
  experiments: 'M6.25 1.75h3.5M6.75 1.75v4.5L2.75 13a.9.9 0 0 0 .8 1.25h8.9a.9.9 0 0 0 .8-1.25l-4-6.75v-4.5M4.5 10h7',
  // A pulse in a monitor: health checks.
  diagnostics: 'M2 3h12v8.5H2zM5.5 14h5M8 11.5V14M3.5 7.5h2l1-2 2 4 1-2h3',
  jobs: 'M8 2.5v2M8 11.5v2M2.5 8h2M11.5 8h2M4.1 4.1l1.4 1.4M10.5 10.5l1.4 1.4M4.1 11.9l1.4-1.4M10.5 5.5l1.4-1.4',
  calendar: 'M2.5 3.5h11v10h-11zM2.5 6.5h11M5.5 2v3M10.5 2v3',
  chevronDown: 'M4 6l4 4 4-4',
  info: 'M8 14.25A6.25 6.25 0 1 0 8 1.75a6.25 6.25 0 0 0 0 12.5zM8 7.25v4M8 4.75h.01',
  warning: 'M8 2.25l6.25 11H1.75zM8 6.5v3M8 11.5h.01',
  alertCircle: 'M8 14.25A6.25 6.25 0 1 0 8 1.75a6.25 6.25 0 0 0 0 12.5zM8 4.75v4M8 11h.01',
  inbox: 'M2 9l2-5.5h8L14 9v4.5H2zM2 9h3.5l1 1.5h3l1-1.5H14',
  refresh: 'M13.25 8A5.25 5.25 0 1 1 11.7 4.3M13.25 2.5v3.25H10',
  close: 'M4 4l8 8M12 4l-8 8',
  check: 'M3.5 8.5l3 3 6-7',
  database:
    'M8 2c3.04 0 5.5.9 5.5 2s-2.46 2-5.5 2-5.5-.9-5.5-2 2.46-2 5.5-2zM2.5 4v8c0 1.1 2.46 2 5.5 2s5.5-.9 5.5-2V4M2.5 8c0 1.1 2.46 2 5.5 2s5.5-.9 5.5-2',
  arrowUp: 'M8 12.5v-9M4.5 7 8 3.5 11.5 7',
  arrowDown: 'M8 3.5v9M4.5 9 8 12.5 11.5 9',
} as const

export type IconName = keyof typeof PATHS

interface IconProps {
  name: IconName
  size?: number
  /** Decorative by default; give a label only when the icon is the only content of a control. */
  label?: string
  className?: string
}

export function Icon({ name, size = 16, label, className }: IconProps): JSX.Element {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.4}
      strokeLinecap="round"
      strokeLinejoin="round"
      className={className}
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  )
}
