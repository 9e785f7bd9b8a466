/**
 * Headless Chromium for the browser tests, through playwright-core and the system's browser. A missing
 * browser fails the test with the command that installs it: a browser test that skips proves nothing.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

/** Where the system's Chromium lives; CHROMIUM_PATH overrides it. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
}

/** Flags for a quiet, offline, sandbox-free headless browser on a CI box. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A browser with a fresh profile; `close` ends it and removes the profile. */
export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** Launches Chromium with a fresh --user-data-dir, or throws saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}, and the browser tests (npm run test:browser) need it. ` +
        'Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium binary).',
    )
  }
  const profile = await mkdtemp(path.join(tmpdir(), 'gastown-chromium-'))
  // A persistent context is how playwright takes an explicit --user-data-dir; the directory is new.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
  })
  return {
    context,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}
