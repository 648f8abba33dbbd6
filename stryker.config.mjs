// `npm run test:mutation`: StrykerJS mutates the domain and application code and runs the unit tests
// under src/ against each mutant (jest.stryker.config.js); docs/mutation-testing.md has the score and
// the mutants that survive because they change nothing. Not part of `npm test` or CI: it takes long.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['src/{domain,application}/**/*.ts', '!src/**/*.test.ts', '!src/**/*.arbitrary.ts'],
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.js' },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  // Mutants of module-level code (constants, regexes, the Intl formatter's options) run at import,
  // so each needs every test that imports its file: three quarters of the run for a fifth of the
  // mutants. They are reported as ignored; docs/mutation-testing.md says how to run them.
  ignoreStatic: true,
  // The machine's two cores are shared.
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  // Caches and run output are not needed in the sandbox copy.
  ignorePatterns: ['.local', 'dist', 'coverage', 'reports', 'bench/results'],
  tempDirName: '.stryker-tmp',
  // Reruns only the mutants whose code or tests changed since the last run (its results are kept
  // in reports/); `npm run test:mutation -- --force` runs them all.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
};
