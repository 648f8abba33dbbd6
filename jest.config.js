/**
 * Three projects in one run: `unit` needs no servers; `integration` shares one set of real servers
 * started by its global setup (see test/support/servers.ts); `faults` stops and starts servers of
 * its own, one test file at a time after the others (test/support/serial-runner.js), with the
 * time budget its waits add up to (test/faults/time-budget.ts). `npx jest --selectProjects unit`
 * runs only the fast ones.
 */
// jose 6 is ESM only: jest 29 loads CommonJS, so its JavaScript is compiled too (and not ignored as node_modules are).
const transform = { '^.+\\.ts$': ['ts-jest', {}], '^.+/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true }, isolatedModules: true }] };
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];

module.exports = {
  maxWorkers: 2,
  testTimeout: 90_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/{deploy,scripts}/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/{component,e2e,fuzz,process,security,storage}/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      runner: '<rootDir>/test/support/serial-runner.js',
      // jest 29 reads testTimeout only globally; this sets the faults' own.
      setupFilesAfterEnv: ['<rootDir>/test/faults/time-budget.ts'],
      // The same module as integration's: jest runs it once for both.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
