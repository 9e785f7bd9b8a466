/** The capacity figure: beads an hour GitHub.com's limits allow one installation, from requests per bead. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  beadsPerHourPerInstallation,
  capacityFromBreakdown,
  GITHUB_COM_LIMITS,
  type CapacityInput,
} from '../../bench/capacity.js'

// The full run of 2026-11-26 (bench/results): the Mayor's and the workers' requests per bead.
const MEASURED = {
  mayor: { requests: 26.69, contentCreating: 10.5 },
  worker: { requests: 22.13, contentCreating: 8 },
}

describe('beadsPerHourPerInstallation', () => {
  it("with GITHUB_TOKEN workers: the workers' 1,000 requests an hour bind before the installation's", () => {
    const report = beadsPerHourPerInstallation({ ...MEASURED, workerToken: 'github-token' })
    expect(report.bounds.map((b) => [b.limit, b.beadsPerHour])).toEqual([
      ['installation: requests', 187.34],
      ['installation: content-creating requests', 47.62],
      ['GITHUB_TOKEN: requests', 45.19],
      ['GITHUB_TOKEN: content-creating requests', 62.5],
    ])
    expect(report.beadsPerHour).toBe(45)
    expect(report.limitedBy).toBe('GITHUB_TOKEN: requests')
    expect(report.burstBeadsPerMinute).toBe(7.62)
  })

  it("with an installation token the workers share the Mayor's budget: 500 writes an hour bind", () => {
    const report = beadsPerHourPerInstallation({ ...MEASURED, workerToken: 'installation' })
    expect(report.bounds).toHaveLength(2)
    expect(report.bounds[1]).toEqual({
      limit: 'installation: content-creating requests',
      perHour: 500,
      perBead: 18.5,
      beadsPerHour: 27.03,
    })
    expect(report.beadsPerHour).toBe(27)
  })

  it("reaches 70 beads an hour only at about 7 content-creating requests in a bead's life", () => {
    const at = (writes: number) =>
      beadsPerHourPerInstallation({
        mayor: { requests: 6, contentCreating: writes },
        worker: { requests: 0, contentCreating: 0 },
        workerToken: 'installation',
      }).beadsPerHour
    expect(at(7)).toBe(71)
    expect(at(7.5)).toBe(66)
  })

  it('never claims more beads than any limit allows, and never more for a bead that costs more', () => {
    const perBead = fc.record({
      requests: fc.double({ min: 0.1, max: 200, noNaN: true }),
      contentCreating: fc.double({ min: 0.1, max: 50, noNaN: true }),
    })
    const input = fc.record({
      mayor: perBead,
      worker: perBead,
      workerToken: fc.constantFrom<CapacityInput['workerToken']>('github-token', 'installation'),
    })
    fc.assert(
      fc.property(input, fc.double({ min: 0, max: 10, noNaN: true }), (given, extra) => {
        const report = beadsPerHourPerInstallation(given)
        const spent = (perBead: number) => report.beadsPerHour * perBead
        const shared = given.workerToken === 'installation'
        const requests = given.mayor.requests + (shared ? given.worker.requests : 0)
        const writes = given.mayor.contentCreating + (shared ? given.worker.contentCreating : 0)
        expect(spent(requests)).toBeLessThanOrEqual(5_000 + 1e-9)
        expect(spent(writes)).toBeLessThanOrEqual(500 + 1e-9)
        if (!shared) {
          expect(spent(given.worker.requests)).toBeLessThanOrEqual(1_000 + 1e-9)
          expect(spent(given.worker.contentCreating)).toBeLessThanOrEqual(500 + 1e-9)
        }
        const costlier = beadsPerHourPerInstallation({
          ...given,
          mayor: { ...given.mayor, contentCreating: given.mayor.contentCreating + extra },
        })
        expect(costlier.beadsPerHour).toBeLessThanOrEqual(report.beadsPerHour)
      }),
    )
  })

  it("counts GraphQL points against GraphQL's own budgets, not REST's requests", () => {
    const report = beadsPerHourPerInstallation({
      mayor: { requests: 4, contentCreating: 3, graphqlPoints: 60 },
      worker: { requests: 3, contentCreating: 3, graphqlPoints: 5 },
      workerToken: 'github-token',
    })
    expect(report.bounds.map((b) => [b.limit, b.perBead, b.beadsPerHour])).toEqual([
      ['installation: requests', 4, 1250],
      ['installation: content-creating requests', 3, 166.67],
      ['installation: GraphQL points', 60, 83.33],
      ['GITHUB_TOKEN: requests', 3, 333.33],
      ['GITHUB_TOKEN: content-creating requests', 3, 166.67],
      ['GITHUB_TOKEN: GraphQL points', 5, 200],
    ])
    expect(report.limitedBy).toBe('installation: GraphQL points')
    expect(report.beadsPerHour).toBe(83)
  })

  it('refuses figures that are not requests per bead, saying which', () => {
    expect(() =>
      beadsPerHourPerInstallation({
        mayor: { requests: Number.NaN, contentCreating: 1 },
        worker: { requests: 1, contentCreating: 1 },
        workerToken: 'installation',
      }),
    ).toThrow(/the mayor's requests per bead must be numbers from 0/)
  })

  it("reads a goal run's breakdown, the people's requests aside", () => {
    const report = capacityFromBreakdown(
      {
        mayor: { restPerBead: 26.69, contentCreatingPerBead: 10.5, graphqlPointsPerBead: 0 },
        worker: { restPerBead: 22.13, contentCreatingPerBead: 8, graphqlPointsPerBead: 0 },
      },
      'github-token',
    )
    expect(report.beadsPerHour).toBe(45)
    expect(GITHUB_COM_LIMITS.installationRequestsPerHour).toBe(5_000)
  })
})
