import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

// Explicit inputs: this project keeps main/preload under electron/ and the renderer under renderer/.
export default defineConfig({
  main: {
    build: {
      lib: {
        entry: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          // Model training runs in a worker thread; emitted beside index.js as train-worker.js.
          'train-worker': resolve(__dirname, 'electron/main/ml/train-worker.ts'),
          // Daily report pages are decoded on a small worker pool; emitted beside index.js as decode-worker.js.
          'decode-worker': resolve(__dirname, 'electron/main/sync/connectors/decode-worker.ts'),
          // A sync writes its chunks on a writer thread with its own connection; emitted as sync-writer.js.
          'sync-writer': resolve(__dirname, 'electron/main/store/sync-writer/sync-writer.ts'),
          // The demo's simulated platforms answer on their own thread; emitted as sim-worker.js.
          'sim-worker': resolve(__dirname, 'electron/main/sync/sim-worker.ts'),
          // A large store's integrity check runs after the start on its own thread; emitted as integrity-worker.js.
          'integrity-worker': resolve(__dirname, 'electron/main/store/integrity-worker.ts'),
          // The packed ad days a migration left to build (store:upgrade job) are built on their own thread; emitted as ad-days-worker.js.
          'ad-days-worker': resolve(__dirname, 'electron/main/store/ad-days-worker.ts'),
          // The first open after an update (backup, migrations) runs behind the updating window; emitted as upgrade-worker.js.
          'upgrade-worker': resolve(__dirname, 'electron/main/store/upgrade-worker.ts'),
          // Slow page reads (drivers, creatives, experiments) run on their own thread; emitted as page-reads-worker.js.
          'page-reads-worker': resolve(__dirname, 'electron/main/page-reads-worker.ts'),
          // A recommendations generation drafts accounts on a second thread too; emitted as draft-worker.js.
          'draft-worker': resolve(__dirname, 'electron/main/recommendations/draft-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      lib: { entry: resolve(__dirname, 'electron/preload/index.ts') },
      // CommonJS: a sandboxed preload cannot load ES modules.
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rolldownOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
})
