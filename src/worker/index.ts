// The action's entry: it only calls run(), which reads the inputs, does the work and sets the exit code.
import { run } from './run.js'

await run()
