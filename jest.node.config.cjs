// TypeScript tests of the service, the local org and the scripts, run by Node 24 (node_modules/.bin/node).
// @swc/jest strips the types; the type checker runs separately (npm run typecheck).
module.exports = {
  displayName: 'node',
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/service', '<rootDir>/emulator', '<rootDir>/scripts'],
  testMatch: ['**/?(*.)test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // Packages that now ship only ES modules are transformed to CommonJS like our own sources
  // (marked; sanitize-html's htmlparser2 and its dom* and entities dependencies, nested under it).
  transformIgnorePatterns: [
    '/node_modules/(?!(marked|sanitize-html|htmlparser2|domhandler|domutils|dom-serializer|domelementtype|entities)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // A test during which a local org answered 500 UNKNOWN_EXCEPTION (a bug in the org) fails.
  setupFilesAfterEnv: ['<rootDir>/emulator/test/support/no-unexpected-errors.ts'],
};
