/**
 * The benchmark's JSON: `bench/index.ts --quick --json` prints one object with every headline key. The
 * test runs the scheduling part only (the other parts start real worker runs, too slow for the suite),
 * and checks the committed full run, which was made by the same code.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { HEADLINE_KEYS, headlineSchema } from '../../bench/bench-results.js'
import { parseArgs, saveResult } from '../../bench/run-bench.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SCHEDULING_KEYS = ['makespan_ratio_ours', 'makespan_ratio_rounds', 'makespan_ratio_fifo'] as const

describe('the benchmark JSON', () => {
  it('prints one object with every headline key, numbers for the part that ran and null for the rest', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench/index.ts'), '--quick', '--json', '--only=scheduling'],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    )
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const result = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(Object.keys(result)).toEqual(expect.arrayContaining([...HEADLINE_KEYS]))
    expect(headlineSchema.safeParse(result).success).toBe(true)
    for (const key of HEADLINE_KEYS) {
      if ((SCHEDULING_KEYS as readonly string[]).includes(key)) {
        expect(Number.isFinite(result[key]), key).toBe(true)
        // A makespan can never beat the lower bound.
        expect(result[key] as number, key).toBeGreaterThanOrEqual(1)
      } else {
        expect(result[key], key).toBeNull()
      }
    }
    expect(result['mode']).toBe('quick')
  })

  it('has a committed full run with a number for every headline key', () => {
    const file = path.join(ROOT, 'bench/results/latest.json')
    expect(existsSync(file), 'run `npm run bench` and commit bench/results').toBe(true)
    const result = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    expect(result['mode']).toBe('full')
    for (const key of HEADLINE_KEYS) expect(Number.isFinite(result[key]), key).toBe(true)
  })

  it('saves results only for full runs of every part unless told otherwise', () => {
    expect(parseArgs([]).save).toBe(true)
    expect(parseArgs(['--quick']).save).toBe(false)
    expect(parseArgs(['--only=scheduling']).save).toBe(false)
    expect(parseArgs(['--quick', '--save']).save).toBe(true)
    expect(() => parseArgs(['--only=nothing'])).toThrow(/unknown part "nothing"/)
  })
})

describe('saved results', () => {
  it('never overwrites an earlier run of the same day: the second is -2, the third -3', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gastown-bench-results-'))
    try {
      const result = JSON.parse(
        readFileSync(path.join(ROOT, 'bench/results/latest.json'), 'utf8'),
      ) as Parameters<typeof saveResult>[0]
      const day = result.date.slice(0, 10)
      for (let i = 0; i < 3; i += 1) await saveResult(result, dir)
      expect((await readdir(dir)).sort()).toEqual(
        [
          `${day}-${result.mode}.json`,
          `${day}-2-${result.mode}.json`,
          `${day}-3-${result.mode}.json`,
          'latest.json',
        ].sort(),
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
