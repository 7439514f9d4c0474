import type { JSX } from 'react'
import { PLATFORMS, PLATFORM_LABELS, type PlatformId } from '../../../../shared/domain/entities'
import { useSyncConfig } from './use-sync-config'

/**
 * Advanced: the platform API version each connector speaks. The current version is the default;
 * another known version can be picked (for instance to keep an older one while checking a change).
 */
export function ApiVersions({ onChanged }: { onChanged: () => void }): JSX.Element {
  const { config, error, update } = useSyncConfig(onChanged)
  const pick = (platform: PlatformId, version: string): Promise<void> =>
    update({ apiVersions: { [platform]: version } })

  return (
    <details data-testid="api-versions">
      <summary>API versions (advanced)</summary>
      {error ? <p className="field__error">{error}</p> : null}
      {config ? (
        <table className="table">
          <thead>
            <tr>
              <th>Platform</th>
              <th>Version in use</th>
              <th>Sunset</th>
            </tr>
          </thead>
          <tbody>
            {PLATFORMS.map((p) => {
              const choices = config.apiVersionChoices[p] ?? []
              const inUse = config.effective.apiVersions[p] ?? ''
              const sunset = choices.find((c) => c.version === inUse)?.sunset ?? null
              return (
                <tr key={p}>
                  <td>{PLATFORM_LABELS[p]}</td>
                  <td>
                    <select
                      aria-label={`${PLATFORM_LABELS[p]} API version`}
                      value={inUse}
                      onChange={(e) => void pick(p, e.target.value)}
                    >
                      {choices.map((c) => (
                        <option key={c.version} value={c.version}>
                          {c.version}
                          {c.current ? ' (current)' : ''}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{sunset ?? 'not announced'}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      ) : null}
    </details>
  )
}
