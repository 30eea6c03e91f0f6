// ESLint flat config: typescript-eslint's recommended rules; in the service, no console and no imports from test/ or scripts/.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', '.data/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      // The service never depends on test support or scripts (they are not built into it).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/test/**', '**/scripts/**'], message: 'src/ must not import from test/ or scripts/.' },
          ],
        },
      ],
    },
  },
);
