// Fails when dist/ differs from a fresh build of the source: the action runs dist/, so a stale one would
// run code nobody reviewed.
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildDist } from './build-dist.mjs'

const fresh = mkdtempSync(join(tmpdir(), 'gastown-dist-'))
try {
  await buildDist(fresh)
  const problems = []
  const built = readdirSync(fresh).sort()
  const committed = existsSync('dist') ? readdirSync('dist').sort() : []
  for (const name of new Set([...built, ...committed])) {
    if (!built.includes(name)) problems.push(`dist/${name} is committed but the build does not make it`)
    else if (!committed.includes(name)) problems.push(`dist/${name} is missing`)
    else if (!readFileSync(join(fresh, name)).equals(readFileSync(join('dist', name)))) {
      problems.push(`dist/${name} differs from a fresh build`)
    }
  }
  if (problems.length > 0) {
    console.error(`dist/ is stale:\n- ${problems.join('\n- ')}\nRun \`npm run build\` and commit dist/.`)
    process.exit(1)
  }
  console.log(`dist/ matches the source (${built.join(', ')}).`)
} finally {
  rmSync(fresh, { recursive: true, force: true })
}
