/** docs/permissions.md and app.yml list the same permissions, at the same access, and the same events. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const app = yaml.load(readFileSync(path.join(ROOT, 'app.yml'), 'utf8')) as {
  default_permissions: Record<string, string>
  default_events: string[]
}
const doc = readFileSync(path.join(ROOT, 'docs/permissions.md'), 'utf8')

/** The rows of the table under a heading: first cell (without backticks) to the other cells. */
function table(heading: string): Map<string, string[]> {
  const section = doc.split(/^## /m).find((part) => part.startsWith(heading))
  expect(section, `a "## ${heading}" section`).toBeDefined()
  const rows = new Map<string, string[]>()
  for (const line of section!.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim())
    const name = /^`([\w-]+)`$/.exec(cells[0] ?? '')?.[1]
    if (name) rows.set(name, cells.slice(1))
  }
  return rows
}

describe('docs/permissions.md', () => {
  it('gives every permission of app.yml, at its access, with a reason, and no other', () => {
    const rows = table('Repository and organisation permissions')
    expect([...rows.keys()].sort()).toEqual(Object.keys(app.default_permissions).sort())
    for (const [name, access] of Object.entries(app.default_permissions)) {
      expect(rows.get(name)![0], name).toBe(access)
      expect(rows.get(name)![1]!.length, `the reason for ${name}`).toBeGreaterThan(20)
    }
  })

  it('gives every event of app.yml with a reason, and no other', () => {
    const rows = table('Events')
    expect([...rows.keys()].sort()).toEqual([...app.default_events].sort())
  })
})
