// Lightning Web Component tests (sfdx-lwc-jest), in the lwc-recipes layout.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  displayName: 'lwc',
  rootDir: __dirname,
  roots: ['<rootDir>/force-app'],
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
};
