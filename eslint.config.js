import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'bench/results/'] },
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
  // Use cases never reach out to the edges; adapters (mail, jobs) come in through ports.
  {
    files: ['src/services/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/web/*', '**/roles/*', '**/cli/*', '**/devdb/*', '**/composition*', '**/runtime*', 'express'], message: 'A use case does not depend on the edges that call it.' },
          { group: ['**/mail/*', '**/jobs/*'], message: 'Declare the port this use case needs; the composition root passes the adapter.' },
        ],
      }],
    },
  },
  // Known exceptions, to be turned into ports (each file listed goes when it is): queue-mail composes
  // the message itself, ingest-mail reads the sanitizer's rules id.
  {
    files: ['src/services/outbound/queue-mail.ts', 'src/services/ingest/ingest-mail.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/web/*', '**/roles/*', '**/cli/*', '**/devdb/*', '**/composition*', '**/runtime*', 'express'], message: 'A use case does not depend on the edges that call it.' }],
      }],
    },
  },
);
