import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './electron/main/store/schema/index.ts',
  out: './resources/migrations',
})
