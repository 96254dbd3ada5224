/**
 * Browser mode: the built renderer (electron-vite's `out/renderer`) served from the API's own
 * port, so the same UI runs in a browser against the same engine (end-to-end tests, a second
 * screen). The UI files hold no secret, so they need no session; the page's API calls are
 * authorised by the session cookie of the one-time login link (browser-session.ts).
 *
 * Only files inside the folder are ever served: the request path is resolved inside the folder,
 * then the file's real path (every symlink followed) must still be inside the folder's real path;
 * a symlink pointing out of it is answered as missing (404), never followed.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serve `pathname` from `dir` (`/` is index.html; a path with no file extension that matches no
 * file falls back to index.html, as single-page apps expect). Returns false when nothing was
 * found, so the caller answers 404.
 */
export async function serveStatic(dir: string, pathname: string, res: ServerResponse): Promise<boolean> {
  const root = resolve(dir);
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (rel.includes('\0')) return false;
  const candidate = resolve(root, normalize(`.${sep}${rel === '/' ? 'index.html' : rel}`));
  if (candidate !== root && !candidate.startsWith(root + sep)) return false;
  let file = candidate;
  if (!(await isFile(file))) {
    if (extname(rel)) return false;
    file = join(root, 'index.html');
    if (!(await isFile(file))) return false;
  }
  const real = await realInside(root, file);
  if (real === null) return false;
  const body = await readFile(real);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(body.length),
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
  return true;
}

/** `file`'s real path when it lies inside `root`'s real path (symlinks followed), else null. */
async function realInside(root: string, file: string): Promise<string | null> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    return realFile.startsWith(realRoot + sep) ? realFile : null;
  } catch {
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
