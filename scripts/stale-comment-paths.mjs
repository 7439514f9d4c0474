// Lists path-like references in comments (file.ts, dir/file.md, ...) that name no file of the repository.
// Usage: node scripts/stale-comment-paths.mjs (prints one 'file: reference' line per stale reference).
import { execSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
const files = execSync("git ls-files '*.ts' '*.tsx' '*.mjs'", { encoding: 'utf8' }).trim().split('\n')
const all = execSync('git ls-files', { encoding: 'utf8' }).trim().split('\n')
const names = new Set(all.map((f) => basename(f)))
/** Documents of the shared reference that comments may cite. */
const SHARED_REFERENCE = new Set(['ARCHITECTURE.md', 'TOOLCHAIN.md', 'PLATFORM-APIS.md'])
const roots = ['', 'electron/main/', 'electron/', 'electron/main/sync/', 'renderer/src/', 'shared/']
for (const f of files) {
  const src = readFileSync(f, 'utf8')
  const comments = src.match(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g) ?? []
  for (const c of comments) {
    for (const m of c.matchAll(/`?([\w@.-]+(?:\/[\w.<>*-]+)*\.(?:ts|tsx|mjs|js|md|json|sql|yml))`?/g)) {
      const ref = m[1]
      if (/^(https?|www)/.test(ref) || ref.includes('<') || ref.includes('*')) continue
      if (/^[\w-]+\.(js)$/.test(ref)) continue // emitted bundles
      if (SHARED_REFERENCE.has(ref)) continue // the shared reference docs, outside the repository
      const ok =
        names.has(basename(ref)) &&
        (!ref.includes('/') ||
          roots.some((r) => existsSync(r + ref)) ||
          existsSync(join(dirname(f), ref)) ||
          all.some((a) => a.endsWith('/' + ref)))
      if (!ok) console.log(`${f}: ${ref}`)
    }
  }
}
