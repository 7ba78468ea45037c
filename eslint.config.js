// Lint: TypeScript rules plus the import direction of docs/ARCHITECTURE.md, enforced by a local rule.
import tseslint from 'typescript-eslint';
import { layerImports } from './scripts/eslint-layer-imports.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'public/**', 'test-results/**', 'playwright-report/**', '.gpu/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { layerwise: { rules: { 'layer-imports': layerImports } } },
    rules: {
      'layerwise/layer-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
