// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Imports point inward (DESIGN.md, "Layout"); each layer lists what it may not reach. */
const layer = (dir, forbidden) => ({
  files: [`src/${dir}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((name) => ({
          group: [`**/${name}/*`, `**/${name}`],
          message: `src/${dir} may not import src/${name}: imports point inward (see DESIGN.md, "Layout").`,
        })),
      },
    ],
  },
})

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  layer('core', ['github', 'llm', 'mayor', 'worker', 'sandbox', 'cli']),
  layer('github', ['llm', 'mayor', 'worker', 'sandbox', 'cli']),
  layer('llm', ['github', 'mayor', 'worker', 'sandbox', 'cli']),
  layer('mayor', ['worker', 'sandbox', 'cli']),
  layer('worker', ['mayor', 'sandbox', 'cli']),
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
)
