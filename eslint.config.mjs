// Type-aware lint of the TypeScript (src, test, bench, examples) with typescript-eslint's
// recommended-type-checked rules; a lost promise is an error. Formatting is Prettier's job.
// Reads the generated src/gen (`npm run generate`, which `npm run lint` runs first).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['src/gen/**', 'dist/**', '.local/**', 'coverage/**', 'reports/**', '.stryker-tmp/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Async methods that implement a promise-returning interface without awaiting are intended.
      '@typescript-eslint/require-await': 'off',
      // `_name` marks a value left out on purpose (a destructured field dropped, an unused argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests, benchmarks and examples match on loosely typed data (expect.any(), parsed JSON, fixtures).
    files: ['**/*.test.ts', 'test/**', 'bench/**', 'examples/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
