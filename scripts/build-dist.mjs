// Bundles the worker action's entry into dist/index.js, one ESM file with its dependencies, as
// actions/typescript-action does. Only the worker's entry is bundled, so nothing of the sandbox reaches it.
import { build } from 'esbuild'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

export const ENTRY = 'src/worker/index.ts'

/** Builds the action into `outdir`; the same source always gives the same bytes. */
export async function buildDist(outdir = 'dist') {
  if (!existsSync(ENTRY)) {
    throw new Error(`${ENTRY} is missing: the worker action's entry must exist before dist/ can be built.`)
  }
  await build({
    entryPoints: { index: ENTRY },
    outdir: resolve(outdir),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    legalComments: 'none',
    logLevel: 'warning',
    // Some dependencies are CommonJS and call require(); an ESM bundle has no require of its own.
    banner: {
      js: "import { createRequire as __gastownCreateRequire } from 'node:module'; const require = __gastownCreateRequire(import.meta.url);",
    },
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildDist(process.argv[2] ?? 'dist')
}
