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
);
