// The fault and bad-input suite (`npm run test:faults`): test/faults/*.fault-spec.ts against the shared
// real broker of global setup (one scenario starts its own, to stop and restart it). Run in band:
// scenarios measure the bridge, and a 2-core machine has nothing to spare for parallel suites.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

module.exports = {
  maxWorkers: 1,
  // A scenario leaves a handle open somewhere (not yet found with --detectOpenHandles): exit once
  // the run and global teardown (which stops the broker) are done, rather than hang CI.
  forceExit: true,
  projects: [
    {
      displayName: 'faults',
      rootDir: __dirname,
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      moduleFileExtensions: ['js', 'json', 'ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
      moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts'],
    },
  ],
};
