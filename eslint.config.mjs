// ESLint flat config: typescript-eslint's recommended rules, plus the rules that keep runs deterministic.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '.lab/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // These escape the virtual clock (see GUIDE.md, "Timers"): use the global setTimeout or sleep().
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'timers',
              message: 'Use the global timers or sleep(): imported timers escape the virtual clock.',
            },
            {
              name: 'node:timers',
              message: 'Use the global timers or sleep(): imported timers escape the virtual clock.',
            },
            {
              name: 'timers/promises',
              message: 'Use sleep() from labrpc: this import escapes the virtual clock.',
            },
            {
              name: 'node:timers/promises',
              message: 'Use sleep() from labrpc: this import escapes the virtual clock.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'AbortSignal',
          property: 'timeout',
          message: 'AbortSignal.timeout escapes the virtual clock.',
        },
      ],
    },
  },
  {
    // The student's folders. A handout's skeleton keeps the parameters of the API it stubs (the names the
    // tester and Figure 2 use) before the student reads them, and an RPC type starts as an empty interface
    // for the student to fill in; the reference follows the same rules (instructors: INSTRUCTORS.md, "Lint").
    // A promise nobody awaits or handles is almost always a missing `await` (a reply used before it
    // arrives, a loop that never yields): no-floating-promises, type-aware, so only for these folders.
    files: ['raft/**/*.ts', 'kvraft/**/*.ts', 'shardctrler/**/*.ts', 'shardkv/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'always' }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
);
