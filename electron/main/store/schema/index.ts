export * from './core'
export * from './ops'
