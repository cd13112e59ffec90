// The import rules of ARCHITECTURE.md, enforced rather than hoped for.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const box = (name) => ({ regex: `(^|/)${name}(/|$)`, message: `${name} may not be imported from here (ARCHITECTURE.md import rules).` });
const nodeBuiltins = {
  regex: '^(node:.*|fs|path|os|crypto|child_process|http|https|net|url|util|stream|events|worker_threads|zlib|buffer)$',
  message: 'This box is not Node: keep Node APIs in src-main, src-server or src-sandbox.',
};
const electron = { regex: '^electron(/.*)?$', message: "Only src-main/electron may import 'electron'." };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'bench/results/**', 'test-results/**', 'playwright-report/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [electron] }],
    },
  },
  {
    // Kysely migrations must not depend on the current table types: they describe the past.
    files: ['src-main/db/migrations/**', 'src-server/db/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src-shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [box('src-main'), box('src-server'), box('src-renderer'), box('src-sandbox'), nodeBuiltins, electron,
          { regex: '^react(-dom)?(/.*)?$', message: 'src-shared is UI-free.' }],
      }],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [box('src-main'), box('src-server'), box('src-sandbox'), nodeBuiltins, electron] }],
    },
  },
  {
    files: ['src-main/**'],
    ignores: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [box('src-server'), box('src-renderer'), box('src-sandbox'), electron] }] },
  },
  {
    files: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [box('src-server'), box('src-renderer'), box('src-sandbox')] }] },
  },
  {
    files: ['src-server/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [box('src-main'), box('src-renderer'), box('src-sandbox'), electron] }] },
  },
  {
    files: ['src-sandbox/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [box('src-main'), box('src-server'), box('src-renderer'), electron] }] },
  },
);
