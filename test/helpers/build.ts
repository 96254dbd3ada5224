/**
 * Browser tests and the UI benchmark drive the built renderer that `npm run serve` serves from
 * out/renderer, and the bundle test runs the built engine entry (out/main); the chains benchmark
 * runs out/main/serve.js as `npm run serve` does. `npm test` on a fresh
 * clone has not built them, and a build older than the sources would test yesterday's code: build
 * when the output is missing or older than any source it is made from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const BUILT = [join(ROOT, 'out', 'renderer', 'index.html'), join(ROOT, 'out', 'main', 'engine-entry.js'), join(ROOT, 'out', 'main', 'serve.js')];
const SOURCES = ['renderer', 'shared', 'main', 'preload', 'core', 'server', 'sim', 'host'].map((d) => join(ROOT, 'src', d));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build (electron-vite: main, preload, renderer) unless every output is newer than the sources. */
export function ensureBuilt(): void {
  const sources = Math.max(...SOURCES.map(newestMtime));
  if (BUILT.every((f) => existsSync(f) && statSync(f).mtimeMs >= sources)) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
}

/**
 * The arguments after `node` that start the engine as `npm run serve` does (read from
 * package.json's script: its Node flags and `out/main/serve.js`), built first when stale; append
 * serve's own flags.
 */
export function serveArgs(): string[] {
  ensureBuilt();
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.serve!;
  const [node, ...args] = script.split(/\s+/);
  if (node !== 'node' || !args.at(-1)?.endsWith('.js')) throw new Error(`package.json's serve script is not "node [flags] <file>.js": ${script}`);
  return args.map((a) => (a.endsWith('.js') ? join(ROOT, a) : a));
}
