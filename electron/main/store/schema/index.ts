export * from './core'
export * from './ops'
export * from './analytics'
export * from './changes'
