/** The town's event emitter: typed listeners, a catch-all, history, and listeners that throw. */
import { describe, expect, it } from 'vitest'
import { TownEvents, type TownEvent } from '../../../src/sandbox/town-events.js'
import { formatEvent } from '../../../src/sandbox/plain-lines.js'

const log = (message: string): TownEvent => ({
  type: 'log',
  at: 1000,
  level: 'info',
  source: 'town',
  message,
})

describe('TownEvents', () => {
  it('calls the listeners of a type and the catch-all ones, and keeps the history', () => {
    const events = new TownEvents()
    const logs: string[] = []
    const all: string[] = []
    const stop = events.on('log', (event) => logs.push(event.message))
    events.onAny((event) => all.push(event.type))
    events.emit(log('a'))
    stop()
    events.emit(log('b'))
    expect(logs).toEqual(['a'])
    expect(all).toEqual(['log', 'log'])
    expect(events.past().map((e) => (e.type === 'log' ? e.message : ''))).toEqual(['a', 'b'])
  })

  it('hands a listener’s error to onError and goes on with the others', () => {
    const errors: unknown[] = []
    const events = new TownEvents((error) => errors.push(error))
    const seen: string[] = []
    events.onAny(() => {
      throw new Error('board broke')
    })
    events.onAny((event) => seen.push(event.type))
    events.emit(log('a'))
    expect(seen).toEqual(['log'])
    expect((errors[0] as Error).message).toBe('board broke')
  })

  it('formats one plain line per event, timed from the start', () => {
    expect(formatEvent({ ...log('hello'), at: 3500 }, 1000)).toBe('+  2.5 s town     hello')
    expect(
      formatEvent(
        {
          type: 'run',
          at: 2000,
          run: { id: 7, bead: 3, attempt: 2, status: 'completed', conclusion: 'failure', url: '' },
        },
        1000,
      ),
    ).toBe('+  1.0 s runner   run 7 for bead #3 attempt 2: completed: failure')
  })
})
