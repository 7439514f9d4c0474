import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['electron/**/*.test.ts', 'shared/**/*.test.ts', 'renderer/src/**/*.test.{ts,tsx}', 'tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // Never the developer's real keychain: tests (and the CLIs they spawn) keep secrets keys in a
    // scratch folder outside every data folder; secrets-key.test.ts drives keychains explicitly.
    env: { ME_SECRETS_KEYRING: 'off', ME_SECRETS_KEY_DIR: join(tmpdir(), 'me-test-secret-keys') },
  },
})
