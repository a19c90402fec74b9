// ESLint flat config: typescript-eslint for the service, the local org and the scripts;
// the Salesforce LWC rules for the components under force-app.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importPlugin from 'eslint-plugin-import';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const lwcConfig = require('@salesforce/eslint-config-lwc');

const lwcFiles = ['force-app/**/lwc/**/*.{js,ts}'];
const scope = (configs, files) => configs.map((config) => ({ ...config, files }));

const ONE_DOOR = 'Only service/src/salesforce/ imports jsforce: use or add a function there.';
const JSFORCE = { name: 'jsforce', message: ONE_DOOR };
const JSFORCE_DEEP = { group: ['jsforce/*'], message: ONE_DOOR };
const PURE_CORE = 'The pure core (associations/, plan/, domain/) does no I/O: take the data as an argument.';
const IO_MODULES = [
  ...['fs', 'fs/promises', 'http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'child_process'],
  ...['worker_threads', 'cluster'],
].flatMap((name) => [name, `node:${name}`]);
IO_MODULES.push('pg', 'express', 'undici', 'pino');
const IO_FOLDERS = ['store', 'salesforce', 'http', 'worker', 'connect', 'admin', 'backfill', 'alerts'];
// sync/ and the use-case folders do I/O too; the types sync/ shares with the core live in domain/.
IO_FOLDERS.push('sync', 'suggestions', 'simulator', 'late-matches');

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'coverage/**',
      'data/**',
      '.sf/**',
      '.sfdx/**',
      '.tmp/**',
      'docs/**',
      // compiled from the component's .ts source; the source is what is linted
      'force-app/**/lwc/*/*.js',
    ],
  },
  {
    files: ['**/*.{ts,mjs,cjs,js}'],
    ignores: lwcFiles,
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // command-line entry points print to the terminal on purpose
    files: ['scripts/**', '**/src/cli.ts', '**/src/main.ts', '**/bench/**', '**/demo/**'],
    rules: { 'no-console': 'off' },
  },
  // Boundaries of the design (docs: README "Layout"; lint-boundaries.test.ts proves each can fail).
  // One door to Salesforce: only service/src/salesforce/ imports jsforce; the demo, the benchmarks and
  // the tests go through its functions too (tests of salesforce/ itself may build jsforce errors).
  {
    files: ['service/**/*.{ts,mjs,cjs,js}'],
    ignores: ['service/src/salesforce/**', 'service/test/salesforce/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [JSFORCE], patterns: [JSFORCE_DEEP] }] },
  },
  // The pure core decides, it does no I/O: no file system, network, database, web framework or
  // Salesforce client, and none of the service's modules that do (store, salesforce, http, worker...).
  {
    files: ['service/src/associations/**', 'service/src/plan/**', 'service/src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [JSFORCE, ...IO_MODULES.map((name) => ({ name, message: PURE_CORE }))],
          patterns: [
            JSFORCE_DEEP,
            { group: ['node:fs/*', 'pg/*', 'pg-*', 'express/*'], message: PURE_CORE },
            { group: IO_FOLDERS.map((folder) => `**/${folder}/**`), message: PURE_CORE },
          ],
        },
      ],
    },
  },
  // No import cycles in the service or the local org. Scoped to their sources: the rule walks the
  // whole import graph, the slowest rule here on two cores.
  {
    files: ['service/src/**/*.ts', 'emulator/src/**/*.ts'],
    plugins: { import: importPlugin },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs', '.json'] } },
      'import/extensions': ['.ts', '.js', '.mjs'],
    },
    // The rule skips `import type` (erased at run time): a type-only cycle is not reported.
    rules: { 'import/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // LWC: the Salesforce rules plus typescript-eslint, as the sf CLI's TypeScript project template
  // sets them up (@salesforce/templates project/typescript/project.eslint.config.js). TypeScript
  // itself reports undefined names, so the JavaScript-only no-undef and no-unused-vars give way.
  ...scope(lwcConfig.configs.recommendedTs, lwcFiles),
  ...scope(tseslint.configs.recommended, lwcFiles),
  {
    files: lwcFiles,
    rules: {
      'no-undef': 'off',
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['force-app/**/lwc/**/__tests__/**/*.{js,ts}'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@lwc/lwc/no-unexpected-wire-adapter-usages': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
