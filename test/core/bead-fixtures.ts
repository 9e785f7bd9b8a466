/** Beads for tests: one plain bead to vary by hand, and an arbitrary for property tests. */
import fc from 'fast-check'
import type { Bead } from '../../src/core/bead.js'
import { BEAD_STATUSES } from '../../src/core/bead.js'

/** A valid ready developer bead; override what a test is about. */
export function makeBead(overrides: Partial<Bead> = {}): Bead {
  return {
    id: '10/api',
    number: 12,
    title: 'Build the API',
    description: 'Implement the CRUD endpoints.',
    role: 'developer',
    status: 'ready',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    goal: 10,
    key: 'api',
    dependencies: [],
    attempt: 1,
    ...overrides,
  }
}

const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ maxLength: 60 }),
  fc
    .array(
      fc.constantFrom(
        '### Depends on',
        '- [ ] #12',
        '- [x] #3',
        '<!--',
        '-->',
        '<!-- gastown:bead {"v":1} -->',
        '_none_',
        '\n',
        '\n\n',
        '\r\n',
        '**bold**',
        '`code`',
        '```ts\nconst x = 1\n```',
        'émoji 🚀 ünïcödé',
        '\u202e',
        '   ',
        '#',
        '"',
        '\\',
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
)

const roleName = fc.constantFrom('architect', 'developer', 'tester', 'reviewer', 'debugger', 'my-role')
const keyName = fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/)

/** Any bead the codec must carry through an issue unchanged. */
export const arbitraryBead: fc.Arbitrary<Bead> = fc
  .record(
    {
      goal: fc.integer({ min: 1, max: 1_000_000 }),
      key: keyName,
      number: fc.integer({ min: 1, max: 1_000_000 }),
      title: hostileText.filter((t) => t.trim().length > 0),
      description: hostileText,
      role: roleName,
      status: fc.constantFrom(...BEAD_STATUSES),
      assignedTo: fc.string({ minLength: 1, maxLength: 80 }),
      result: hostileText,
      error: hostileText,
      createdAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      updatedAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      dependencies: fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 6 }),
      attempt: fc.integer({ min: 0, max: 20 }),
      pr: fc.integer({ min: 1, max: 1_000_000 }),
      needsHuman: fc.boolean(),
      failures: fc.integer({ min: 0, max: 10 }),
      round: fc.integer({ min: 0, max: 5 }),
      retryAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      tokens: fc.integer({ min: 0, max: 10_000_000 }),
      costUsd: fc.double({ min: 0, max: 1000, noNaN: true }),
      planRound: fc.integer({ min: 1, max: 9 }),
    },
    {
      requiredKeys: [
        'goal',
        'key',
        'number',
        'title',
        'description',
        'role',
        'status',
        'createdAt',
        'updatedAt',
        'dependencies',
        'attempt',
      ],
    },
  )
  .map((fields) => ({ id: `${fields.goal}/${fields.key}`, ...fields }))
