// @ts-check
// Jest's configuration, typed through JSDoc and checked by `npm run typecheck` (the pragma above). It is
// JavaScript because jest reads a TypeScript config by loading a TypeScript loader first: ts-node (the
// default) cost ~0.7 s of CPU and esbuild-register ~0.2 s before the first test of every `npm test`.
// Jest runs every lab test and self-test. Notes on the choices:
// - The runner (tests/harness/jest-runner.ts) takes the lab files (those that only register test modules by
//   path) and runs their tests one queue for all, longest first, in worker threads outside jest's sandbox,
//   maxWorkers at a time; every other file goes to jest's default runner, at the same time.
// - The sequencer makes `npm test -- 2B` match paths relative to the project, not the absolute path.
// - @swc/jest transpiles only; `npm run typecheck` (tsc --noEmit) does the type checking, in CI.
// - setupFiles installs the stable Math.random wrapper before any test module (or lodash) loads.
// - The custom environment exposes the host process so the virtual-time driver sees unhandled rejections
//   in the tests that still run in the sandbox (the framework's own).
// - testTimeout stays above the isolated run's limits (driver 150 s, then the parent's hard stop at
//   180 s), so a run always fails with its own message first.
// - A failure is printed once, where it happens: no "Summary of all failing tests" repeating each one.
// - Never enable jest's fake timers: the driver owns the clock.
const os = require('node:os');

/** @type {import('jest').Config} */
const config = {
  testEnvironment: '<rootDir>/tests/harness/jest-environment.js',
  testSequencer: '<rootDir>/tests/harness/jest-sequencer.js',
  runner: '<rootDir>/tests/harness/jest-runner.ts',
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
  // Build products, traces and pages are nothing jest needs to know: each run writes some, and jest's file
  // map then started two processes to hash them before every `npm test`.
  modulePathIgnorePatterns: ['<rootDir>/.lab/', '<rootDir>/out/'],
  maxWorkers: Math.max(2, os.availableParallelism()),
  testTimeout: 200_000,
  reporters: [['default', { summaryThreshold: Number.MAX_SAFE_INTEGER }]],
};

module.exports = config;
