/**
 * Jest's configuration, typed. Jest reads a TypeScript config through ts-node; the pragmas below ask for
 * no type checking at load time (it would add seconds to every run; `npm run typecheck` checks this
 * file) and for CommonJS with its matching resolution (jest asks ts-node for CommonJS, which tsconfig's
 * node16 resolution refuses: TS5110).
 * @jest-config-loader ts-node
 * @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "commonjs", "moduleResolution": "node10"}}
 */
// Jest runs every lab test and self-test. Notes on the choices (see ../shared/virtual-time-notes.md):
// - Lab tests (registerWithJest) run each in its own worker thread, outside jest's sandbox
//   (tests/harness/jest.ts says why); the jest workers mostly wait on those threads, so use every core.
// - The sequencer makes `npm test -- 2B` match paths relative to the project, not the absolute path.
// - @swc/jest transpiles only; `npm run typecheck` (tsc --noEmit) does the type checking, in CI.
// - setupFiles installs the stable Math.random wrapper before any test module (or lodash) loads.
// - The custom environment exposes the host process so the virtual-time driver sees unhandled rejections
//   in the tests that still run in the sandbox (the framework's own).
// - testTimeout stays above the isolated run's limits (driver 150 s, then the parent's hard stop at
//   180 s), so a run always fails with its own message first.
// - A failure is printed once, where it happens: no "Summary of all failing tests" repeating each one.
// - Never enable jest's fake timers: the driver owns the clock.
import type { Config } from 'jest';
import os from 'node:os';

const config: Config = {
  testEnvironment: '<rootDir>/tests/harness/jest-environment.js',
  testSequencer: '<rootDir>/tests/harness/jest-sequencer.js',
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
  maxWorkers: Math.max(2, os.availableParallelism()),
  testTimeout: 200_000,
  reporters: [['default', { summaryThreshold: Number.MAX_SAFE_INTEGER }]],
};

export default config;
