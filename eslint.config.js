// Lint is deliberately small: its job is the rules the compiler cannot enforce.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.tools/**', '.test-run/**', 'dist/**', 'workflow-bundle.js'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/consistent-type-imports': 'error' },
  },
  {
    // Workflow code must be deterministic: no Node APIs, no I/O, activities by type only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows must not use Node built-ins (determinism).' })),
        patterns: [{ group: ['../activities/*', '../analysis/*', '../db/*', '../api/*', '../storage/*'], allowTypeImports: true,
          message: 'Workflows import activity types only.' }],
      }],
    },
  },
);
