/**
 * The Mayor's entry for `probot run` and any Probot host: the app function with its real dependencies,
 * taken from the environment. Everything else lives in app.ts.
 */
import type { ApplicationFunction } from 'probot'
import { createMayor } from './app.js'
import { realTimer } from './mayor-deps.js'
import { modelFromConfig } from './model-for.js'

/** Minutes between reconciler sweeps, from GASTOWN_RECONCILE_MINUTES (default 5; 0 turns them off). */
function reconcileMinutes(value: string | undefined): number {
  if (value === undefined || value === '') return 5
  const minutes = Number(value)
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new Error(
      `GASTOWN_RECONCILE_MINUTES must be a number of minutes (0 turns the sweep off), not "${value}".`,
    )
  }
  return minutes
}

const gastownMayor: ApplicationFunction = (app, options) => {
  const mayor = createMayor({
    modelFor: modelFromConfig(process.env, app.log),
    now: Date.now,
    random: Math.random,
    setTimer: realTimer,
    reconcileIntervalMs: reconcileMinutes(process.env['GASTOWN_RECONCILE_MINUTES']) * 60_000,
  })
  return mayor.app(app, options)
}

export default gastownMayor
