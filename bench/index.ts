/**
 * `npm run bench` (`tsx bench/index.ts`): the benchmarks. `--quick` for a run under a minute, `--json`
 * to print one JSON object on stdout; progress always goes to stderr.
 */
import { parseArgs, renderTable, runBench, saveResult } from './run-bench.js'

const log = (message: string) => void process.stderr.write(`${message}\n`)

try {
  const args = parseArgs(process.argv.slice(2))
  const result = await runBench(args, log)
  if (args.save) for (const file of await saveResult(result)) log(`wrote ${file}`)
  process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `${renderTable(result)}\n`)
  // Sockets of closed towns may linger a moment; the run is over.
  process.exit(0)
} catch (error) {
  log(`bench failed: ${(error as Error).stack ?? String(error)}`)
  process.exit(1)
}
