/**
 * What a town without model work needs in tests and the bench: a worker workflow that ends at once, and
 * a way to wait until the emulator and the Mayor have both gone quiet, by their events, never by time.
 */

/** A worker workflow that ends at once with success, so the Mayor's dispatches run without a real worker. */
export const IDLE_WORKFLOW = `name: gastown-worker
run-name: 'gastown bead #\${{ inputs.bead }} attempt \${{ inputs.attempt }}'
on:
  workflow_dispatch:
    inputs:
      bead: { required: true, type: string }
      attempt: { required: true, type: string }
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - run: echo "bead \${{ inputs.bead }} attempt \${{ inputs.attempt }}"
`

/** The parts of an emulator that say when it has nothing left to do. */
export interface QuietEmulator {
  deliveries(): readonly unknown[]
  settled(): Promise<void>
  runner: { idle(): Promise<void> }
}

/**
 * Resolves once two rounds in a row deliver no new webhook: each side can wake the other (deliveries
 * queue Mayor jobs, jobs cause deliveries and runs), so one quiet side alone proves nothing.
 */
export async function settleTown(emulator: QuietEmulator, mayor?: { idle(): Promise<void> }): Promise<void> {
  for (let quietRounds = 0; quietRounds < 2;) {
    const before = emulator.deliveries().length
    await emulator.settled()
    await mayor?.idle()
    await emulator.runner.idle()
    await emulator.settled()
    await mayor?.idle()
    quietRounds = emulator.deliveries().length === before ? quietRounds + 1 : 0
  }
}
