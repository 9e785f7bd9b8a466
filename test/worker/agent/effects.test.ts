import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AgentOutcome,
  capText,
  type EffectLimits,
  validateEffects,
} from '../../../src/worker/agent/effects.js'

const limits: EffectLimits = {
  protectedPaths: ['.github/workflows/**'],
  maxFiles: 5,
  maxFileBytes: 1_000,
  allowApprove: false,
  ownPrNumbers: [7],
}

function outcome(overrides: Partial<AgentOutcome> = {}): AgentOutcome {
  return {
    status: 'finished',
    finishedBy: 'finish_tool',
    summary: 'Did the work.',
    trajectory: [{ iteration: 1, tool: 'finish', args: '{}', ok: true, result: 'finished', ms: 1 }],
    commands: [{ command: 'npm test', exitCode: 0, signal: null, timedOut: false, ms: 10, outputTail: 'ok' }],
    reviews: [],
    usage: { tokens: 10, promptTokens: 8, completionTokens: 2, costUsd: 0.01, modelCalls: 1 },
    changedFiles: [{ path: 'src/a.ts', status: 'added', bytes: 10, kind: 'file' }],
    ...overrides,
  }
}

describe('validateEffects', () => {
  it('accepts a well-behaved outcome unchanged', () => {
    const effects = outcome()
    expect(validateEffects(effects, limits)).toEqual({ ok: true, errors: [], effects })
  })

  it('refuses a change to a protected path, in any case', () => {
    const result = validateEffects(
      outcome({
        changedFiles: [
          { path: '.github/workflows/ci.yml', status: 'modified', bytes: 10, kind: 'file' },
          { path: '.GitHub/Workflows/evil.yml', status: 'added', bytes: 10, kind: 'file' },
        ],
      }),
      limits,
    )
    expect(result.errors).toEqual([
      'changed file ".github/workflows/ci.yml" is a protected path (.github/workflows/**); a person must make that change',
      'changed file ".GitHub/Workflows/evil.yml" is a protected path (.github/workflows/**); a person must make that change',
    ])
  })

  it('refuses deleting a protected file too', () => {
    const result = validateEffects(
      outcome({
        changedFiles: [{ path: '.github/workflows/ci.yml', status: 'deleted', bytes: null, kind: 'missing' }],
      }),
      limits,
    )
    expect(result.ok).toBe(false)
  })

  it('refuses too many files and files over the size limit', () => {
    const files = Array.from({ length: 6 }, (_, index) => ({
      path: `f${index}.txt`,
      status: 'added' as const,
      bytes: index === 0 ? 5_000 : 1,
      kind: 'file' as const,
    }))
    expect(validateEffects(outcome({ changedFiles: files }), limits).errors).toEqual([
      'too many changed files: 6, the limit is 5',
      'changed file "f0.txt" has 5000 bytes, the limit is 1000',
    ])
  })

  it('refuses escaping, absolute, .git and nested-repository paths', () => {
    const result = validateEffects(
      outcome({
        changedFiles: [
          { path: '../outside', status: 'added', bytes: 1, kind: 'file' },
          { path: '/etc/passwd', status: 'added', bytes: 1, kind: 'file' },
          { path: 'sub/.git/config', status: 'added', bytes: 1, kind: 'file' },
          { path: 'vendor/inner', status: 'added', bytes: 0, kind: 'directory' },
        ],
      }),
      limits,
    )
    expect(result.errors).toEqual([
      'changed file "../outside": leaves the repository (..)',
      'changed file "/etc/passwd": is absolute',
      'changed file "sub/.git/config": is inside .git',
      'changed file "vendor/inner" is a nested git repository; remove its .git or the directory',
    ])
  })

  it('refuses APPROVE unless allowed, and reviews of PRs that are not the run’s own', () => {
    const approve = { pr: 7, event: 'APPROVE' as const, body: 'LGTM', comments: [] }
    const elsewhere = { pr: 8, event: 'COMMENT' as const, body: 'hi', comments: [] }
    const result = validateEffects(outcome({ reviews: [approve, elsewhere] }), limits)
    expect(result.errors).toEqual([
      'review on PR #7 approves, which the configuration does not allow; use COMMENT or REQUEST_CHANGES',
      'review on PR #8, which this run may not review (allowed: #7)',
    ])
    expect(validateEffects(outcome({ reviews: [approve] }), { ...limits, allowApprove: true }).ok).toBe(true)
  })

  it('refuses two reviews of one PR and inline comments on paths outside the repository', () => {
    const review = {
      pr: 7,
      event: 'COMMENT' as const,
      body: 'b',
      comments: [{ path: '/etc/passwd', line: 1, body: 'x' }],
    }
    expect(validateEffects(outcome({ reviews: [review, review] }), limits).errors).toEqual([
      'inline comment on PR #7 at "/etc/passwd": is absolute',
      'more than one review for PR #7; send one per PR',
      'inline comment on PR #7 at "/etc/passwd": is absolute',
    ])
  })

  it('refuses a malformed outcome, naming the field', () => {
    const hostile = { ...outcome(), reviews: [{ pr: -1, event: 'MERGE', body: 1 }], extra: 'field' }
    const result = validateEffects(hostile, limits)
    expect(result.ok).toBe(false)
    expect(result.errors.join('\n')).toMatch(/effects\.reviews\.0\.pr/)
    expect(result.errors.join('\n')).toMatch(/effects\.reviews\.0\.event/)
    expect(result.errors.join('\n')).toMatch(/extra/)
    expect(validateEffects(null, limits).ok).toBe(false)
  })

  it('cuts long texts and too many inline comments, and removes NUL bytes', () => {
    const comments = Array.from({ length: 60 }, (_, index) => ({
      path: 'a.ts',
      line: index + 1,
      body: 'c'.repeat(9_000),
    }))
    const result = validateEffects(
      outcome({
        summary: `start\0${'s'.repeat(100_000)}`,
        reviews: [{ pr: 7, event: 'COMMENT', body: 'b'.repeat(100_000), comments }],
      }),
      { ...limits, maxTextChars: 1_000 },
    )
    expect(result.ok).toBe(true)
    expect(result.effects?.summary.length).toBeLessThanOrEqual(1_000)
    expect(result.effects?.summary.startsWith('starts')).toBe(true)
    expect(result.effects?.summary).toContain('[... cut, the full text had 100005 characters ...]')
    expect(result.effects?.reviews[0]?.body.length).toBeLessThanOrEqual(1_000)
    expect(result.effects?.reviews[0]?.comments).toHaveLength(50)
    expect(result.effects?.reviews[0]?.comments[0]?.body.length).toBeLessThanOrEqual(8_000)
  })
})

describe('capText', () => {
  it('never returns more than the limit, keeps short text, and drops NUL bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3_000 }), fc.integer({ min: 0, max: 2_000 }), (text, max) => {
        const capped = capText(text, max)
        expect(capped.length).toBeLessThanOrEqual(max)
        expect(capped).not.toContain('\0')
        const clean = text.replaceAll('\0', '')
        if (clean.length <= max) expect(capped).toBe(clean)
        else expect(clean.startsWith(capped.split('\n\n[... cut')[0] ?? '')).toBe(true)
      }),
    )
  })
})
