import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { userContext, type CallContext } from '../../shared/domain/caller'
import { createCore, type Core, type CoreOptions } from './core'
import { createNodePlatform, type NodePlatform } from './platform/node'

/**
 * A core on an in-memory database with the real migrations and contract (no Electron). Its data
 * folder is a fresh temporary one (imports and backups write files there); secrets and settings stay
 * in memory.
 */
export function createTestCore(opts: CoreOptions & { now?: () => Date } = {}): Core & { platform: NodePlatform } {
  const platform = createNodePlatform({
    host: 'test',
    ephemeral: true,
    dataDir: mkdtempSync(join(tmpdir(), 'me-test-')),
    ...(opts.now ? { now: opts.now } : {}),
  })
  const core = createCore(platform, { dbPath: ':memory:', validateOutput: true, ...opts })
  return core as Core & { platform: NodePlatform }
}

/** The caller of test calls: an admin user with every workspace in scope. */
export const TEST_CALLER: CallContext = userContext('test', { id: 'tester', name: 'Test user' })
