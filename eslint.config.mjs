// Layer edges are checked here, not by review: see DESIGN.md "Layers and folders".
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'http',
  'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls',
  'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];
const nodeModulePatterns = [
  ...nodeBuiltins.flatMap((m) => [m, `${m}/*`, `node:${m}`, `node:${m}/*`]),
  'better-sqlite3', 'ws', 'node-cron', 'csv-parse', 'csv-parse/*',
];
const electronPatterns = ['electron', 'electron/*', '@electron-toolkit/*'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'bench/out/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/server/**/*.ts', 'src/sim/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: electronPatterns, message: 'Only src/main and src/preload may import electron.' },
          { group: ['**/renderer/**', '**/main/**', '**/preload/**'], message: 'Imports go downward only (DESIGN.md).' }],
      }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: [...electronPatterns, ...nodeModulePatterns], message: 'src/shared is platform-free TypeScript.' },
          { group: ['**/core/**', '**/server/**', '**/sim/**', '**/renderer/**', '**/main/**', '**/preload/**'], message: 'src/shared imports nothing from other layers.' }],
      }],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: [...electronPatterns, ...nodeModulePatterns], message: 'The renderer is web code: no electron, no Node modules.' },
          { group: ['**/core/**', '**/server/**', '**/sim/**', '**/main/**'], message: 'The renderer imports only shared and the preload types.' }],
      }],
    },
  },
);
