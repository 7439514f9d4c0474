import { useCallback, useEffect, useState, type JSX } from 'react'
import type { SecurityStatus } from '../../../../shared/ipc/contracts/security'
import { getClient } from '../../api/client'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { errorMessage } from '../../lib/errors'

/** How saved credentials are protected, with the warning (and the choice to proceed) when weak. */
export function SecurityPanel(): JSX.Element {
  const [status, setStatus] = useState<SecurityStatus | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [confirming, setConfirming] = useState(false)

  const load = useCallback(async (): Promise<void> => {
    try {
      setStatus(await getClient().invoke('security:getStatus', {}))
    } catch (err) {
      setError(errorMessage(err))
    }
  }, [])
  useEffect(() => {
    void load()
  }, [load])

  const proceed = async (): Promise<void> => {
    try {
      setStatus(await getClient().invoke('security:acceptWeakSecrets', { confirm: true }))
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setConfirming(false)
    }
  }

  const s = status?.secrets
  return (
    <div className="settings-list" data-testid="security-panel">
      <div className="settings-row">
        <div className="settings-row__text">
          <p className="settings-row__label">Saved credentials</p>
          <p className="settings-row__hint">{s ? `Encrypted; the key is kept in ${s.where}.` : 'Loading…'}</p>
          {s?.warning ? (
            <p className="field__error" role="alert" data-testid="secrets-warning">
              {s.warning}
            </p>
          ) : null}
          {status && status.looseFiles.length > 0 ? (
            <p className="field__error" role="alert">
              Readable by other users of this computer: {status.looseFiles.join(', ')}
            </p>
          ) : null}
        </div>
        <div className="settings-row__control">
          {s ? (
            <span className={`badge ${s.strong ? 'badge--positive' : 'badge--warning'}`}>
              {s.strong ? 'Strong protection' : 'Weak protection'}
            </span>
          ) : null}
          {s?.needsConsent ? (
            <button type="button" className="btn" onClick={() => setConfirming(true)}>
              Proceed with weak protection…
            </button>
          ) : null}
        </div>
      </div>
      {error ? (
        <p className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Save credentials with weak protection?"
        confirmLabel="Proceed"
        danger
        onConfirm={() => void proceed()}
        onCancel={() => setConfirming(false)}
      >
        Credentials you connect from now on are saved with a fixed key: anyone who copies your data folder can read
        them. Installing a keyring and restarting gives real protection.
      </ConfirmDialog>
    </div>
  )
}
