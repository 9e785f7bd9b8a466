#!/usr/bin/env node
// The `gastown` command: the CLI is TypeScript (src/cli), run through tsx's loader.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/index.ts')
