import { useCallback, useEffect, useState } from 'react'
import type { ChannelInput, ChannelOutput } from '../../../../shared/ipc/contract'
import { getClient } from '../../api/client'
import { errorMessage } from '../../lib/errors'

export type SyncConfigView = ChannelOutput<'sync:getConfig'>

/**
 * The sync settings the advanced Connections sections show (loaded once), and `update` to change
 * them: the answer replaces the view, `onChanged` tells the page, a refusal shows as `error`.
 */
export function useSyncConfig(onChanged: () => void): {
  config: SyncConfigView | null
  error: string | null
  update: (patch: ChannelInput<'sync:updateConfig'>) => Promise<void>
} {
  const [config, setConfig] = useState<SyncConfigView | null>(null)
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

  const update = useCallback(
    async (patch: ChannelInput<'sync:updateConfig'>): Promise<void> => {
      setError(null)
      try {
        setConfig(await getClient().invoke('sync:updateConfig', patch))
        onChanged()
      } catch (err) {
        setError(errorMessage(err))
      }
    },
    [onChanged],
  )
  return { config, error, update }
}
