// Layer edges are checked here, not by review: see DESIGN.md "Layers and folders".
//
// Two mechanisms, each for what it does well:
// - Project files: per-folder ALLOW-lists with import-x's `no-restricted-paths` on resolved paths
//   (so `../../shared/x`, `./x` and `../core/api/x` are judged by where they land, not by how they
//   are spelled). Each layer's zone forbids the whole project (`from: '.'`) except the folders and
//   files it may use; packages (node_modules) are left to the second mechanism. An import that does
//   not resolve is not judged here: TypeScript fails on it first.
// - Packages and Node built-ins: `no-restricted-imports` on the specifier (no electron outside
//   main/preload, no Node in shared/renderer, only zod in shared, nothing but electron in the
//   sandboxed preload).
//
// Unit tests (*.test.ts beside the code) are outside the layer allow-lists: they may build what
// they test from anywhere (the simulator, test/helpers). Product code is not.
// A new edge is a design change: change DESIGN.md in the same commit.
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'http',
  'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls',
  'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];
// A regex on the whole specifier, not gitignore-style globs: the glob `events` also matched the
// relative path '../shared/events' (any path segment), flagging the contract's own modules.
const nodeModuleRegex = `^(node:)?(${nodeBuiltins.join('|')})(/.*)?$|^(better-sqlite3|ws|node-cron|csv-parse)(/.*)?$`;
const electronPatterns = ['electron', 'electron/*', '@electron-toolkit/*'];
const TESTS = ['**/*.test.ts', '**/*.test.tsx'];

/**
 * One layer's allow-list: files under `target` may import project files only from `allowed`
 * (paths from the project root, folders or single files). Packages are always let through here.
 */
const layer = (target, allowed, message) => ({ target, from: '.', except: [...allowed, './node_modules'], message });

/** The scrip master's parser (and its symbol conventions), which the simulator reads masters with. */
const MASTER_CODEC = ['./src/core/instruments/master-parser.ts', './src/core/instruments/symbols.ts'];
/** The codec in core/feed that the simulator shares with the client: encode/decode and constants only. */
const FEED_CODEC = ['./src/core/feed/feed-protocol.ts', './src/core/feed/feed-codec.ts', './src/core/feed/feed-encoder.ts', './src/core/feed/feed-requests.ts'];

const zones = [
  // Data files (holiday calendar, default Tier B config) are not a layer: shared and core may read them.
  layer('src/shared', ['./src/shared', './resources'], 'src/shared imports nothing outside src/shared (DESIGN.md: platform-free, the bottom layer).'),
  layer('src/core', ['./src/core', './src/shared', './resources'], 'src/core imports only src/core and src/shared: never sim, server, host, main, renderer or preload (DESIGN.md).'),
  // Inside core.
  { target: 'src/core', from: 'src/core/app.ts', message: 'app.ts is the composition root: nothing in core imports it; take a narrow interface instead (DESIGN.md).' },
  { target: 'src/core/feed', from: 'src/core/subscriptions', message: 'The feed knows nothing of subscriptions: it is told what to hold (DESIGN.md).' },
  {
    target: 'src/core/subscriptions',
    from: 'src/core',
    except: ['./subscriptions', './chain', './instruments', './storage', './feed/placement-types.ts'],
    message: "subscriptions may use chain, instruments, storage and the feed's placement types only (DESIGN.md).",
  },
  layer('src/server', ['./src/server', './src/core/api', './src/shared'], 'src/server carries the contract: it imports only src/core/api and src/shared (DESIGN.md).'),
  // The simulator serves any master a trader's copy could load, so it reads it with the
  // workstation's own parser: the scrip master's codec, shared the way the feed codec is.
  layer('src/sim', ['./src/sim', './src/shared', ...FEED_CODEC, ...MASTER_CODEC], 'src/sim imports only src/shared, the feed codec of src/core/feed and the master parser of src/core/instruments.'),
  layer('src/host', ['./src/host', './src/core', './src/server', './src/sim', './src/shared', './resources'], 'src/host joins core, server, sim and shared, nothing else (DESIGN.md).'),
  layer('src/main', ['./src/main', './src/shared', './src/host/engine-protocol.ts'], "src/main imports only src/shared and the host's process protocol (src/host/engine-protocol.ts): the engine runs in its own process (DESIGN.md)."),
  layer('src/preload', ['./src/preload', './src/shared'], 'The preload imports only src/shared (DESIGN.md).'),
  // The renderer's one exception is the type declaration of `window.api` (a .d.ts: no code).
  layer('src/renderer', ['./src/renderer', './src/shared', './src/preload/api.d.ts'], 'The renderer imports only src/shared (and the declared type of window.api) (DESIGN.md).'),
  // Not in DESIGN.md's table: the command line (master inspect/generate, chain, search, api-token)
  // is a runtime entry like src/host. Its edges are today's, written down rather than widened.
  layer('src/cli', ['./src/cli', './src/core/instruments', './src/sim', './src/server/api-token.ts', './src/shared'], 'src/cli uses the registry, the master generator and the API token only.'),
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'bench/out/**', 'coverage/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: TESTS,
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'] })],
    },
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones }] },
  },
  {
    files: ['src/core/**/*.ts', 'src/server/**/*.ts', 'src/sim/**/*.ts', 'src/cli/**/*.ts', 'src/host/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: electronPatterns, message: 'Only src/main and src/preload may import electron.' }],
      }],
    },
  },
  {
    // The engine's utility-process entry reads `process.parentPort`'s type from electron; a type
    // import loads nothing at run time (the import is erased).
    files: ['src/host/engine-entry.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: electronPatterns, message: 'Only src/main and src/preload may import electron (src/host/engine-entry.ts: types only).', allowTypeImports: true }],
      }],
    },
  },
  {
    // Packages: an allow-list of one (zod). Tests beside the code may also use vitest.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!\\.{1,2}/)(?!zod(/|$))(?!vitest(/|$))', message: 'src/shared is platform-free TypeScript: of packages only zod.' }],
      }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!\\.{1,2}/)(?!zod(/|$))', message: 'src/shared is platform-free TypeScript: of packages only zod.' }],
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
          { regex: '^zod(/.*)?$', message: 'The sandboxed preload can load only electron (zod stays out: main validates).' }],
      }],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: electronPatterns, message: 'The renderer is web code: no electron, no Node modules.' },
          { regex: nodeModuleRegex, message: 'The renderer is web code: no electron, no Node modules.' }],
      }],
    },
  },
);
