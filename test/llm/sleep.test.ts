import { describe, expect, it } from 'vitest'
import { realSleep } from '../../src/llm/sleep.js'

describe('realSleep', () => {
  it('resolves after its wait', async () => {
    await expect(realSleep(1)).resolves.toBeUndefined()
  })

  it('rejects with the reason when the signal is already aborted', async () => {
    await expect(realSleep(60_000, AbortSignal.abort(new Error('stop')))).rejects.toThrow('stop')
  })

  it('rejects as soon as the signal aborts during the wait', async () => {
    const controller = new AbortController()
    const waiting = realSleep(600_000, controller.signal)
    controller.abort(new Error('cancelled'))
    await expect(waiting).rejects.toThrow('cancelled')
  })
})
