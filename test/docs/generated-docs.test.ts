/**
 * The generated reference pages (configuration, roles, commands) must be what the code says today.
 * GASTOWN_UPDATE_DOCS=1 rewrites them instead of failing.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { describe, expect, it } from 'vitest'
import { generatedDocs } from '../../src/cli/templates/reference-docs.js'
import { configFields, leafFields } from '../../src/cli/templates/config-fields.js'
import { BUILT_IN_ROLE_NAMES } from '../../src/core/roles.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const pages = generatedDocs()

describe('generated docs', () => {
  it.each(Object.keys(pages))('%s is up to date with the code', async (page) => {
    const file = path.join(ROOT, page)
    // As `npm run format` leaves it, so the format check and this test agree.
    const options = (await prettier.resolveConfig(file)) ?? {}
    const wanted = await prettier.format(pages[page]!, { ...options, filepath: file })
    if (process.env['GASTOWN_UPDATE_DOCS'] === '1') writeFileSync(file, wanted)
    const current = readFileSync(file, 'utf8')
    expect(
      current === wanted,
      `${page} is stale: run GASTOWN_UPDATE_DOCS=1 npx vitest run test/docs/generated-docs.test.ts and commit it`,
    ).toBe(true)
  })

  it('documents every setting of the schema with its default, and every role', () => {
    const configuration = pages['docs/configuration.md']!
    for (const field of leafFields(configFields()))
      expect(configuration).toContain(`| \`${field.path.join('.')}\` |`)
    expect(configuration).toContain('| `budgets.iterations` | a whole number from 1 to 1000 | `30` |')
    const roles = pages['docs/roles.md']!
    for (const name of BUILT_IN_ROLE_NAMES) expect(roles).toContain(`| \`${name}\` |`)
  })
})
