/** The reconciler sweeps every installation and every repository, past GitHub's 100 a page. */
import { afterEach, describe, expect, it } from 'vitest'
import { planJson, startMayorTown, type MayorTown } from './mayor-fixture.js'

let town: MayorTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

describe('reconcile', () => {
  it('finds a goal in the 101st repository of the 102nd installation', async () => {
    town = await startMayorTown({ plans: [planJson([{ key: 'api', role: 'developer' }])] })
    const { emulator } = town
    // alice's installation is the first; a hundred more accounts install the app before zed.
    for (let i = 0; i < 100; i += 1) emulator.installApp(`acct-${String(i).padStart(3, '0')}`)
    // A hundred of zed's repositories are listed but hold nothing, so they need no git repository; the
    // 101st, where the goal is, is a real one (and installs the app on zed).
    const template = emulator.state.repos.get('alice/town')!
    const zed = emulator.state.account('zed')
    for (let i = 0; i < 100; i += 1) {
      const name = `repo-${String(i).padStart(3, '0')}`
      const id = emulator.state.nextId()
      emulator.state.repos.set(`zed/${name}`, {
        ...template,
        id,
        owner: zed,
        name,
        fullName: `zed/${name}`,
        access: new Map(),
        labels: new Map(),
        nextNumber: 1,
      })
    }
    await emulator.createRepo({ owner: 'zed', name: 'repo-100' })
    expect(emulator.state.installations.size).toBe(102)
    await town.settle()
    // The labelling reaches no Mayor (its delivery is dropped): only a sweep can find the goal.
    emulator.faults.add({ kind: 'drop-delivery', event: 'issues' })
    const { data: goal } = await town.as('zed').rest.issues.create({
      owner: 'zed',
      repo: 'repo-100',
      title: 'Build a todo API',
      body: 'A REST API.',
    })
    await town.as('zed').rest.issues.addLabels({
      owner: 'zed',
      repo: 'repo-100',
      issue_number: goal.number,
      labels: ['gastown:goal'],
    })
    await town.settle()
    expect(town.modelRequests!.length).toBe(0)

    await town.mayor.reconcile()
    await town.settle()
    expect(town.modelRequests!.length).toBe(1)
    const { data: comments } = await town.as('zed').rest.issues.listComments({
      owner: 'zed',
      repo: 'repo-100',
      issue_number: goal.number,
    })
    expect(comments.some((c) => c.body?.includes('gastown:plan-comment'))).toBe(true)
  })
})
