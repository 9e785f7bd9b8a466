/**
 * The reference pages of docs/ that are generated from the code, so they say what the code does:
 * configuration.md (the config schema), roles.md (the role catalogue) and commands.md (slash commands and
 * the CLI's usage texts). test/docs/generated-docs.test.ts fails when a page is stale and rewrites it with
 * GASTOWN_UPDATE_DOCS=1.
 */
import { tableCell } from '../../core/markdown-escape.js'
import { BUILT_IN_ROLES, BUILT_IN_ROLE_NAMES } from '../../core/roles.js'
import { helpText } from '../../mayor/commands.js'
import { SANDBOX_USAGE } from '../sandbox-args.js'
import { INIT_USAGE } from '../init.js'
import { PLAN_USAGE } from '../plan.js'
import { STATUS_USAGE } from '../status.js'
import { configFields, fieldName, type ConfigField } from './config-fields.js'
import { inline, renderConfigFile } from './config-template.js'

const GENERATED = (source: string) =>
  `<!-- Generated from ${source} by src/cli/templates/reference-docs.ts: edit the source, then run GASTOWN_UPDATE_DOCS=1 npx vitest run test/docs/generated-docs.test.ts -->`

/** A table cell of our own text: pipes escaped, line breaks joined (code spans keep their `<`). */
function cell(text: string): string {
  return tableCell(text, { trusted: true })
}

function code(value: unknown): string {
  const text = inline(value)
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``
}

function fieldRows(fields: readonly ConfigField[]): string[] {
  return fields.flatMap((field) => {
    if (field.children.length > 0) return fieldRows(field.children)
    const rows = [
      `| \`${fieldName(field)}\` | ${cell(field.accepted)} | ${code(field.default)} | ${cell(field.description)} |`,
    ]
    for (const entry of field.entryFields) {
      const name =
        field.default !== null ? `${fieldName(field)}.<name>.${entry.path.at(-1)}` : fieldName(entry)
      const fallback = entry.default === undefined ? '—' : code(entry.default)
      rows.push(`| \`${name}\` | ${cell(entry.accepted)} | ${fallback} | ${cell(entry.description)} |`)
    }
    return rows
  })
}

/** docs/configuration.md: every setting of .github/gastown.yml, from the schema. */
export function renderConfigurationDoc(): string {
  const sections = configFields().map((field) => {
    const heading = `### \`${field.path[0]}\``
    const table = [
      '| Setting | Accepts | Default | What it does |',
      '| --- | --- | --- | --- |',
      ...fieldRows([field]),
    ]
    return [heading, '', cell(field.description), '', ...table].join('\n')
  })
  return [
    GENERATED('src/core/config.ts'),
    '',
    '# Configuration: `.github/gastown.yml`',
    '',
    'Gas Town reads `.github/gastown.yml` from the default branch of the repository: the Mayor when it plans',
    'and dispatches, each worker when it starts. Every setting has a default, so the file may be empty or',
    'absent. A mistake is reported on the goal as a comment that names the setting, the line and what is',
    'accepted; nothing is planned or dispatched until it is fixed.',
    '',
    '`gastown init` writes the file below: every setting with its default, commented out. Delete the `#`',
    'before a setting (and before its section) to change it.',
    '',
    '<details><summary>The file <code>gastown init</code> writes</summary>',
    '',
    '```yaml',
    renderConfigFile().trimEnd(),
    '```',
    '',
    '</details>',
    '',
    '## Settings',
    '',
    sections.join('\n\n'),
    '',
    '## Examples',
    '',
    'A cheaper model through OpenRouter, two workers, one reviewer at a time:',
    '',
    '```yaml',
    'model:',
    '  name: openai/gpt-4o-mini',
    '  base_url: https://openrouter.ai/api/v1',
    '  api_key_env: OPENROUTER_API_KEY',
    'max_workers: 2',
    'role_limits: { reviewer: 1 }',
    '```',
    '',
    'A custom role, and the conventions every developer should follow:',
    '',
    '```yaml',
    'roles:',
    '  developer:',
    '    prompt_append: Use pnpm, never npm. Every module gets a test next to it.',
    '  security-reviewer:',
    '    description: Reviews pull requests for injection, secrets and unsafe defaults.',
    '    output: review',
    '    prompt: You are a security reviewer. Review each pull request you are given for injection, leaked secrets and unsafe defaults, and request changes when you find one.',
    '```',
    '',
    'A board, plan approval and merging by the Mayor once checks and reviews pass:',
    '',
    '```yaml',
    'project: { owner: octo-org, number: 7 }',
    'plan_approval: true',
    'merge: auto',
    '```',
    '',
    'Editors that use yaml-language-server can check the file as you type with the JSON Schema that',
    '`configJsonSchema()` in src/core/config.ts produces.',
    '',
  ].join('\n')
}

/** docs/roles.md: the seven built-in roles with their outputs, tools and prompts. */
export function renderRolesDoc(): string {
  const rows = BUILT_IN_ROLE_NAMES.map((name) => {
    const role = BUILT_IN_ROLES[name]
    const output = role.output === 'review' ? 'reviews of PRs' : 'a pull request'
    return `| \`${name}\` | ${output} | ${role.tools.map((t) => `\`${t}\``).join(', ')} | ${cell(role.description)} |`
  })
  const prompts = BUILT_IN_ROLE_NAMES.map((name) =>
    [
      `<details><summary>The <code>${name}</code> prompt</summary>`,
      '',
      '```text',
      BUILT_IN_ROLES[name].prompt,
      '```',
      '',
      '</details>',
    ].join('\n'),
  )
  return [
    GENERATED('src/core/roles.ts'),
    '',
    '# Roles',
    '',
    "Every bead has one role. The Mayor's planner picks it from the catalogue below (and the custom roles of",
    "`.github/gastown.yml`), and the worker runs that role's agent: its system prompt, its tools and its kind",
    "of output. These are the seed's roles: architect, developer, tester and reviewer, with debugger,",
    'documenter and devops.',
    '',
    '| Role | Leaves | Tools | What the planner is told |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '`finish` ends every run. A role that leaves a pull request pushes the branch `gastown/<n>-<slug>` and',
    'opens a PR that closes its bead; a reviewer posts one review per pull request of the beads it depends',
    'on, and never approves unless `allow_approve: true`.',
    '',
    '## Changing a role, or adding one',
    '',
    'In `.github/gastown.yml`, `roles.<name>` changes a built-in role (`prompt` replaces its prompt,',
    '`prompt_append` adds to it, `tools` and `description` replace theirs) or adds a custom role, which needs',
    '`description`, `prompt` and `output`. Role names are lowercase (`a-z`, `0-9`, `-`), so',
    '`gastown:role/<name>` fits a label. See [configuration.md](configuration.md#roles).',
    '',
    '```yaml',
    'roles:',
    '  tester:',
    '    prompt_append: Tests live in tests/ and run with `pytest -q`.',
    '  migrator:',
    '    description: Writes database migrations and checks they run both ways.',
    '    output: pr',
    '    prompt: You write one database migration for the change your bead describes, with its rollback, and run both.',
    '```',
    '',
    '## The prompts',
    '',
    prompts.join('\n\n'),
    '',
  ].join('\n')
}

/** docs/commands.md: the slash commands on goals and beads, and the `gastown` command line. */
export function renderCommandsDoc(): string {
  const slash = helpText()
    .split('\n')
    .filter((line) => line.startsWith('|'))
  const usage = (title: string, text: string) => [`### ${title}`, '', '```text', text, '```'].join('\n')
  return [
    GENERATED('src/mayor/commands.ts and the usage texts of src/cli'),
    '',
    '# Commands',
    '',
    '## Slash commands',
    '',
    'Comment on a goal or a bead. Only people with write access to the repository can use them; the Mayor',
    'answers anyone else with a polite refusal and does nothing. A command inside a code block or a quote is',
    'not run, so quoting this table is safe.',
    '',
    ...slash,
    '',
    'Starting a goal is not a command: label an issue `gastown:goal`.',
    '',
    '## The `gastown` command line',
    '',
    'Run it with `npx gastown` from a checkout of this repository, or as `gastown` once installed.',
    '',
    '```sh',
    '# The whole town on this machine, offline, with the scripted model (a test double)',
    'npx gastown sandbox',
    '# Set Gas Town up in a checkout of your repository',
    'GITHUB_TOKEN=ghp_yourtoken npx gastown init',
    '# What the Mayor would plan for a goal, creating nothing',
    'GASTOWN_SCENARIO=todo-api npx gastown plan "Build a REST API for a todo list with CRUD operations and tests"',
    '# A goal as GitHub holds it',
    'npx gastown status octo-org/todo-api#12',
    '```',
    '',
    usage('gastown sandbox', SANDBOX_USAGE),
    '',
    usage('gastown init', INIT_USAGE),
    '',
    usage('gastown plan', PLAN_USAGE),
    '',
    usage('gastown status', STATUS_USAGE),
    '',
    '## npm scripts of this repository',
    '',
    '| Script | What it does |',
    '| --- | --- |',
    "| `npm run mayor` | Runs the Mayor with Probot's server (see [running-the-mayor.md](running-the-mayor.md)). |",
    '| `npm test` | Every test (vitest). |',
    '| `npm run all` | Format check, lint, type check, tests and the build. |',
    '| `npm run build` | Bundles the worker action into dist/. |',
    '| `npm run check:dist` | Fails when dist/ is not the build of the source. |',
    '',
  ].join('\n')
}

/** Every generated page, by path from the repository root. */
export function generatedDocs(): Record<string, string> {
  return {
    'docs/configuration.md': renderConfigurationDoc(),
    'docs/roles.md': renderRolesDoc(),
    'docs/commands.md': renderCommandsDoc(),
  }
}
