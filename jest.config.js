/**
 * Two projects in one run: `unit` needs no servers; `integration` shares one set of real servers
 * started by its global setup (see test/support/servers.ts). `npx jest --selectProjects unit` runs
 * only the fast ones.
 */
const transform = { '^.+\\.ts$': ['ts-jest', {}] };

module.exports = {
  maxWorkers: 2,
  testTimeout: 90_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/{deploy,scripts}/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/{component,e2e,faults,fuzz,process,security,storage}/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
