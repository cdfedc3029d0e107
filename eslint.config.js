// ESLint (typescript-eslint) for lb-bench: the recommended rules, and a function-length warning.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'results/', 'reports/', 'baselines/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // a function should fit on a screen; a longer one mixes concerns (blank lines and comments not counted)
      'max-lines-per-function': ['warn', { max: 60, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // a command's arguments are whatever commander hands over: `...args: any[]` is the honest type there
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      // `catch {}`: a best effort that may fail (removing a temporary file) says so by being empty
      'no-empty': ['error', { allowEmptyCatch: true }],
      // headers and messages are checked for control characters on purpose
      'no-control-regex': 'off',
    },
  },
  {
    // a test file's describe() holds its cases: a list, not a function that mixes concerns; and a
    // test matches output as it is printed, aligned columns included
    files: ['test/**', 'test-long/**'],
    rules: {
      'max-lines-per-function': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      'no-regex-spaces': 'off',
    },
  },
);
