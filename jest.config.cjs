// One Jest (the version @salesforce/sfdx-lwc-jest brings) runs every test, as projects.
module.exports = {
  projects: ['<rootDir>/jest.node.config.cjs', '<rootDir>/jest.lwc.config.cjs'],
  // Integration tests start the local org and the service in-process; a global option, not a project one.
  testTimeout: 30000,
};
