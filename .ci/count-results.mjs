// Prints the closing `N passed, N failed` line from vitest's own JSON reports, so CI counts what the
// runner ran rather than what a script guessed.
import { existsSync, readFileSync } from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`${file} is missing: the test run did not write its report.`)
    failed += 1
    continue
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + (report.numTodoTests ?? 0)
  // A suite that failed to load has no tests counted; count it as a failure so it cannot pass silently.
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && suite.assertionResults.length === 0) failed += 1
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
