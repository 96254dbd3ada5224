// Layer edges are checked here, not by review: see DESIGN.md "Layers and folders".
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'http',
  'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls',
  'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];
// A regex on the whole specifier, not gitignore-style globs: the glob `events` also matched the
// relative path '../shared/events' (any path segment), flagging the contract's own modules.
const nodeModuleRegex = `^(node:)?(${nodeBuiltins.join('|')})(/.*)?$|^(better-sqlite3|ws|node-cron|csv-parse)(/.*)?$`;
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
        patterns: [{ group: electronPatterns, message: 'src/shared is platform-free TypeScript.' },
          { regex: nodeModuleRegex, message: 'src/shared is platform-free TypeScript.' },
          { group: ['**/core/**', '**/server/**', '**/sim/**', '**/renderer/**', '**/main/**', '**/preload/**'], message: 'src/shared imports nothing from other layers.' }],
      }],
    },
  },
  {
    // The preload is sandboxed: it can load electron and nothing else at run time (no npm
    // packages, no Node). Values come from src/shared's plain modules (commands, ipc-channels).
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: nodeModuleRegex, message: 'The sandboxed preload can load only electron.' },
          { regex: '^zod(/.*)?$', message: 'The sandboxed preload can load only electron (zod stays out: main validates).' },
          { group: ['**/core/**', '**/server/**', '**/sim/**', '**/main/**', '**/renderer/**'], message: 'The preload imports only electron and src/shared.' }],
      }],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: electronPatterns, message: 'The renderer is web code: no electron, no Node modules.' },
          { regex: nodeModuleRegex, message: 'The renderer is web code: no electron, no Node modules.' },
          { group: ['**/core/**', '**/server/**', '**/sim/**', '**/main/**'], message: 'The renderer imports only shared and the preload types.' }],
      }],
    },
  },
);
