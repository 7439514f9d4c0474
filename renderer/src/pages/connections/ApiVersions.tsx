import { useEffect, useState, type JSX } from 'react'
import { PLATFORMS, PLATFORM_LABELS, type PlatformId } from '../../../../shared/domain/entities'
import type { ChannelOutput } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { errorMessage } from '../../lib/errors'

type ConfigView = ChannelOutput<'sync:getConfig'>

/**
 * Advanced: the platform API version each connector speaks. The current version is the default;
 * another known version can be picked (for instance to keep an older one while checking a change).
 */
export function ApiVersions({ onChanged }: { onChanged: () => void }): JSX.Element {
  const [config, setConfig] = useState<ConfigView | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    getClient()
      .invoke('sync:getConfig', {})
      .then((c) => live && setConfig(c))
      .catch((err: unknown) => live && setError(errorMessage(err)))
    return () => {
      live = false
    }
  }, [])

  const pick = async (platform: PlatformId, version: string): Promise<void> => {
    setError(null)
    try {
      setConfig(await getClient().invoke('sync:updateConfig', { apiVersions: { [platform]: version } }))
      onChanged()
    } catch (err) {
      setError(errorMessage(err))
    }
  }

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
