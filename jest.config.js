// Jest runs every lab test and self-test. Notes on the choices (see ../shared/virtual-time-notes.md):
// - @swc/jest transpiles only; `npm run typecheck` (tsc --noEmit) does the type checking, in CI.
// - setupFiles installs the stable Math.random wrapper before any test module (or lodash) loads.
// - The custom environment exposes the host process so the virtual-time driver sees unhandled rejections.
// - testTimeout stays above the driver's own wall-clock limit, so the driver always fails first and cleanly.
// - Never enable jest's fake timers: the driver owns the clock.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/tests/harness/jest-environment.js',
  setupFiles: ['<rootDir>/tests/harness/random-setup.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/out/'],
  testTimeout: 200_000,
  reporters: [['default', { summaryThreshold: 0 }]],
};
