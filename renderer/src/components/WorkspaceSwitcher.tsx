import { useId, type JSX } from 'react'
import { useWorkspaceStore } from '../stores/workspace-store'
import { Skeleton } from './States'

/** A native select: keyboard, screen readers and type-ahead work without extra code. */
export function WorkspaceSwitcher(): JSX.Element {
  const id = useId()
  const { workspaces, workspaceId, status, error, selectWorkspace, loadWorkspaces } = useWorkspaceStore()

  if (status === 'error') {
    return (
      <div className="workspace-switcher workspace-switcher--error" role="alert">
        <span title={error ?? undefined}>Workspaces unavailable</span>
        <button type="button" className="btn btn--sm" onClick={() => void loadWorkspaces()}>
          Retry
        </button>
      </div>
    )
  }
  if (status !== 'ready') return <Skeleton height={32} />

  return (
    <div className="workspace-switcher">
      <label htmlFor={id} className="visually-hidden">
        Workspace
      </label>
      <select
        id={id}
        className="select workspace-switcher__select"
        value={workspaceId ?? ''}
        disabled={workspaces.length === 0}
        onChange={(e) => selectWorkspace(Number(e.target.value))}
        data-testid="workspace-switcher"
      >
        {workspaces.length === 0 ? <option value="">No workspaces</option> : null}
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.isDemo ? `${w.name} (demo)` : w.name}
          </option>
        ))}
      </select>
    </div>
  )
}
