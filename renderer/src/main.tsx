import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { getClient } from './api/client'
import { App } from './App'
import './styles/tokens.css'
import './styles/base.css'
import './styles/layout.css'
import './styles/components.css'
import './styles/states.css'
import './styles/shell.css'
import './styles/pages.css'

// Pick the transport first: in the browser this also takes the token out of the address bar.
getClient()

const root = document.getElementById('root')
if (!root) throw new Error('Missing #root element')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
