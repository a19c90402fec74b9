// ESLint flat config: typescript-eslint for the service, the local org and the scripts;
// the Salesforce LWC rules for the components under force-app.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const lwcConfig = require('@salesforce/eslint-config-lwc');

const lwcFiles = ['force-app/**/lwc/**/*.{js,ts}'];
const scope = (configs, files) => configs.map((config) => ({ ...config, files }));

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
