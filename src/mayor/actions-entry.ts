/** The Mayor's entry inside GitHub Actions: one run, one event (or a sweep); see actions-adapter.ts. */
import { actionsMain } from './actions-adapter.js'

process.exitCode = await actionsMain(process.env)
