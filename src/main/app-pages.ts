/**
 * Which URLs are the app's own pages: the built renderer's index.html over file://, or the
 * electron-vite dev server's origin (ELECTRON_RENDERER_URL) during `npm run dev`. IPC senders,
 * navigations and the CSP header are all judged by this one rule, so they cannot disagree.
 * Pure functions (no electron import), unit-tested.
 */
import { pathToFileURL } from 'node:url';

export interface AppPages {
  /** Absolute path of the built renderer's index.html. */
  indexFile: string;
  /** The dev server URL, when electron-vite runs one. */
  devServerUrl?: string | undefined;
  /** For case-insensitive file paths on Windows. Default process.platform. */
  platform?: NodeJS.Platform;
}

/** The Content-Security-Policy of the app's pages. */
export const APP_CSP = "default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A URL without its query and fragment (they do not make another page). */
function pageOf(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** True when `url` is one of the app's own pages (or, on the dev server, any of its resources). */
export function isAppUrl(url: string, pages: AppPages): boolean {
  const u = parse(url);
  if (!u) return false;
  if (pages.devServerUrl) {
    const dev = parse(pages.devServerUrl);
    return dev !== null && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin;
  }
  if (u.protocol !== 'file:') return false;
  const index = pageOf(new URL(pathToFileURL(pages.indexFile).href));
  const page = pageOf(u);
  return (pages.platform ?? process.platform) === 'win32' ? page.toLowerCase() === index.toLowerCase() : page === index;
}

/** True when navigating from `current` to `target` stays on the same page (a reload or a fragment). */
export function isSamePage(target: string, current: string): boolean {
  const t = parse(target);
  const c = parse(current);
  return t !== null && c !== null && pageOf(t) === pageOf(c) && t.search === c.search;
}

/** True for links the system browser should open (http and https only). */
export function isExternalLink(url: string): boolean {
  const u = parse(url);
  return u !== null && (u.protocol === 'https:' || u.protocol === 'http:');
}

/** Response headers with the app's CSP in place of any the response had. */
export function withCsp(headers: Record<string, string | string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() === 'content-security-policy') continue;
    out[k] = Array.isArray(v) ? v : [v];
  }
  out['Content-Security-Policy'] = [APP_CSP];
  return out;
}
