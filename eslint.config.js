// ESLint: typescript-eslint's strict, type-checked rules over every TypeScript file (see
// docs/adr/0011-0011-code-health-lint-and-dependency-rules.md). Formatting is Prettier's job, import cycles depcruise's.
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'packages/', 'coverage/', '.backtrack/', '**/*.js', '**/*.cjs', '**/*.mjs']),
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its error; a promise handed where a callback's result is ignored too.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Nest modules are classes with only decorators; the framework needs them to be classes.
      '@typescript-eslint/no-extraneous-class': 'off',
      // Template literals with numbers are how log lines and messages are written here; booleans and nullish stay banned.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `x!` after a check the compiler cannot follow (Map.get after has, array index in bounds) is the house style.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `() => res.write(x)` as a callback, and `return send(res, 404, …)` to answer and stop in a function typed to
      // return void, are clearer than braces around one call; using a void result as a value stays an error.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true },
      ],
      // The CLI's API client names the shape of an answer where it asks (`request<Job>(…)`), like fetch wrappers do.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      // Nest's option bags (NestApplicationOptions…) are classes meant to be passed as object literals.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Deprecated but kept on purpose, each until its own change: the SOAP login is a supported way in until
      // Salesforce retires it; fast-xml-parser's built-in validator decides which uploads are malformed XML (its
      // successor, fast-xml-validator, is another implementation and would change those verdicts).
      '@typescript-eslint/no-deprecated': [
        'error',
        {
          allow: [
            { from: 'package', package: 'jsforce', name: 'loginBySoap' },
            { from: 'package', package: 'fast-xml-parser', name: ['XMLValidator', 'parse'] },
          ],
        },
      ],
      // Core rules typescript-eslint does not cover (no @eslint/js preset is installed).
      'no-control-regex': 'error',
      // Unused names are errors, except those prefixed with _ (positional parameters a signature requires).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests assert on parsed JSON (`any` by nature).
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Fakes stand in for async interfaces: `async () => { throw … }` is how a test double rejects.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
