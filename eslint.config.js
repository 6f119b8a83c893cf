import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // templates/web/assets: bundles built by `npm run build:assets` from src/web/client (linted there).
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'bench/results/', 'templates/web/assets/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['bench/**', 'src/devdb/cli.ts', 'src/cli/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  // Dependencies point inward: the domain depends on nothing of ours and does no I/O.
  {
    files: ['src/domain/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['../*'], message: 'src/domain depends on nothing outside src/domain.' },
          { group: ['node:fs', 'node:net', 'node:http', 'node:https', 'node:child_process', 'mongoose', 'mongodb', 'express', 'imapflow', 'nodemailer', 'agenda', '@agendajs/*', 'lmdb', 'pino'], message: 'src/domain is pure: no I/O.' },
        ],
      }],
    },
  },
  // Use cases never reach out to the edges; adapters (mail, jobs, the stores) come in through ports.
  {
    files: ['src/services/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/web/*', '**/roles/*', '**/cli/*', '**/devdb/*', '**/composition*', '**/runtime*', 'express'], message: 'A use case does not depend on the edges that call it.' },
          { group: ['**/mail/*', '**/jobs/*'], message: 'Declare the port this use case needs; the composition root passes the adapter.' },
          { group: ['**/store/models/index*'], allowTypeImports: false, message: 'Use the stores (src/store/stores.ts), not the models.' },
          { group: ['**/store/*.js', '**/store/models/*', '**/store/migrations/*', '!**/store/models/index*'], allowTypeImports: true, message: 'A use case takes the stores it uses as dependencies; it imports their types only.' },
        ],
      }],
    },
  },
  // The web and mail adapters reach the database through the stores too, and only by their types.
  {
    files: ['src/web/**', 'src/mail/**', 'src/jobs/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/store/models/index*'], allowTypeImports: false, message: 'Use the stores (src/store/stores.ts), not the models.' },
          { group: ['**/store/*.js', '**/store/models/*', '**/store/migrations/*', '!**/store/models/index*'], allowTypeImports: true, message: 'The composition root passes the stores; import their types only.' },
        ],
      }],
    },
  },
);
