import { Component, Fragment, type ErrorInfo, type JSX, type ReactNode } from 'react'
import { reportRendererError } from '../lib/error-reporting'
import type { RouteId } from '../lib/routes'
import { PageFrame } from './PageFrame'
import { ErrorState } from './States'

interface Props {
  route: RouteId
  children: ReactNode
}

interface State {
  failed: boolean
  /** Bumped by Retry so the page mounts afresh (and loads its data again). */
  attempt: number
}

/**
 * Catches a page that throws while rendering: the page's frame stays, with a plain sentence and a
 * Retry button instead of a blank window. The error goes to the console and the core's log (raised
 * as an ERROR alert), never on screen.
 */
export class PageBoundary extends Component<Props, State> {
  override state: State = { failed: false, attempt: 0 }

  static getDerivedStateFromError(): Partial<State> {
    return { failed: true }
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`The ${this.props.route} page failed to render`, error, info.componentStack)
    // Logged by the core and raised as an ERROR alert (deduped, capped).
    reportRendererError('render', error, `${this.props.route} page`)
  }

  private readonly retry = (): void => this.setState((s) => ({ failed: false, attempt: s.attempt + 1 }))

  override render(): JSX.Element {
    if (this.state.failed) {
      return (
        <PageFrame id={this.props.route}>
          <div className="card">
            <ErrorState
              title="This page could not be shown"
              message="Something went wrong while drawing this page. Your data is safe. Try again; if it keeps happening, restart the app."
              onRetry={this.retry}
            />
          </div>
        </PageFrame>
      )
    }
    return <Fragment key={this.state.attempt}>{this.props.children}</Fragment>
  }
}
