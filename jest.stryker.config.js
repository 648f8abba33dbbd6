/**
 * The jest config StrykerJS runs (stryker.config.mjs): the `unit` project of jest.config.js, with
 * its transform, limited to the tests under src/ (the ones that exercise src/domain and
 * src/application; test/deploy and test/scripts do not).
 */
const { projects } = require('./jest.config.js');

const { displayName: _displayName, ...unit } = projects.find((project) => project.displayName === 'unit');

module.exports = { ...unit, testMatch: ['<rootDir>/src/**/*.test.ts'] };
