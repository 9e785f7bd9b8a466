/**
 * action.yml, the worker action's metadata, against what GitHub requires of it and what the code reads
 * and writes: the same inputs, the same outputs, a runtime GitHub runs, and a bundle that exists.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { INPUT_NAMES } from '../../src/worker/action/inputs.js'
import { outputsFor } from '../../src/worker/run.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface ActionMetadata {
  name?: string
  description?: string
  author?: string
  branding?: { icon?: string; color?: string }
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>
  outputs?: Record<string, { description?: string }>
  runs?: { using?: string; main?: string; pre?: string; post?: string }
}

const action = yaml.load(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata

/** The colours GitHub Marketplace accepts for `branding.color`. */
const BRANDING_COLORS = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']

describe('action.yml', () => {
  it('has what GitHub requires: a name, a description and a JavaScript runtime it runs', () => {
    expect(action.name).toBeTruthy()
    expect(action.description).toBeTruthy()
    expect(action.runs?.using).toBe('node24')
    expect(BRANDING_COLORS).toContain(action.branding?.color)
    expect(action.branding?.icon).toMatch(/^[a-z0-9-]+$/)
  })

  it('points at a bundle that exists, and at nothing else that does not', () => {
    for (const entry of [action.runs?.main, action.runs?.pre, action.runs?.post]) {
      if (entry === undefined) continue
      expect(existsSync(path.join(ROOT, entry)), entry).toBe(true)
    }
    expect(action.runs?.main).toBe('dist/index.js')
  })

  it('declares exactly the inputs the worker reads, each described, no required input with a default', () => {
    expect(Object.keys(action.inputs ?? {}).sort()).toEqual([...INPUT_NAMES].sort())
    for (const [name, input] of Object.entries(action.inputs ?? {})) {
      expect(input.description, name).toBeTruthy()
      if (input.required) expect(input.default, name).toBeUndefined()
    }
  })

  it('declares exactly the outputs the worker writes, each described', () => {
    const written = Object.keys(
      outputsFor({ status: 'failed', tokens: 0, costUsd: 0 } as Parameters<typeof outputsFor>[0]),
    )
    expect(Object.keys(action.outputs ?? {}).sort()).toEqual(written.sort())
    for (const [name, output] of Object.entries(action.outputs ?? {}))
      expect(output.description, name).toBeTruthy()
  })
})
