import { create } from 'zustand'
import { parseHash, routeHash, type RouteId } from '../lib/routes'

interface RouterState {
  route: RouteId
  /** Bumped on every in-app navigation so the page heading can take focus (not on first load). */
  navCount: number
  navigate: (route: RouteId) => void
  /** Follow the address bar (back/forward, typed hashes). */
  syncFromHash: () => void
}

function currentHash(): string {
  return typeof window === 'undefined' ? '' : window.location.hash
}

export const useRouterStore = create<RouterState>()((set, get) => ({
  route: parseHash(currentHash()),
  navCount: 0,
  navigate: (route) => {
    if (typeof window !== 'undefined' && window.location.hash !== routeHash(route)) {
      // Setting the hash adds a history entry; the hashchange listener then calls syncFromHash.
      window.location.hash = routeHash(route)
    }
    if (get().route !== route) set((s) => ({ route, navCount: s.navCount + 1 }))
  },
  syncFromHash: () => {
    const route = parseHash(currentHash())
    if (route !== get().route) set((s) => ({ route, navCount: s.navCount + 1 }))
  },
}))

/** Listen to the address bar; returns the cleanup. Call once from the app root. */
export function startHashRouting(): () => void {
  const onChange = (): void => useRouterStore.getState().syncFromHash()
  window.addEventListener('hashchange', onChange)
  useRouterStore.getState().syncFromHash()
  return () => window.removeEventListener('hashchange', onChange)
}
