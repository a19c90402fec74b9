// Lightning Web Component tests (sfdx-lwc-jest), in the lwc-recipes layout: platform modules that
// need more than sfdx-lwc-jest's stubs are mocked once under force-app/test/jest-mocks.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  displayName: 'lwc',
  rootDir: __dirname,
  roots: ['<rootDir>/force-app'],
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
  moduleNameMapper: {
    '^lightning/graphql$': '<rootDir>/force-app/test/jest-mocks/lightning/graphql',
    '^lightning/navigation$': '<rootDir>/force-app/test/jest-mocks/lightning/navigation',
  },
  setupFilesAfterEnv: [
    ...(jestConfig.setupFilesAfterEnv || []),
    '<rootDir>/force-app/test/jest-sa11y-setup.js',
  ],
};
