import { describe, expect, it } from 'vitest';
import { APP_CSP, isAppUrl, isExternalLink, isSamePage, withCsp } from './app-pages';

const posix = { indexFile: '/opt/strikedesk/resources/app.asar/out/renderer/index.html', platform: 'linux' as const };

describe('isAppUrl', () => {
  it('accepts the built index.html over file://, with a fragment or query', () => {
    expect(isAppUrl('file:///opt/strikedesk/resources/app.asar/out/renderer/index.html', posix)).toBe(true);
    expect(isAppUrl('file:///opt/strikedesk/resources/app.asar/out/renderer/index.html#/chains?x=1', posix)).toBe(true);
  });

  it('refuses other files, other schemes, and garbage', () => {
    for (const url of ['file:///etc/passwd', 'file:///opt/strikedesk/resources/app.asar/out/renderer/other.html', 'https://evil.example/', 'http://localhost:5173/', 'about:blank', 'not a url', '']) {
      expect(isAppUrl(url, posix), url).toBe(false);
    }
  });

  it('on the dev server accepts its origin only', () => {
    const dev = { ...posix, devServerUrl: 'http://localhost:5173' };
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isAppUrl('file:///opt/strikedesk/resources/app.asar/out/renderer/index.html', dev)).toBe(false);
  });

  it('compares paths without case on Windows only', () => {
    const url = 'file:///OPT/StrikeDesk/resources/app.asar/out/renderer/INDEX.html';
    expect(isAppUrl(url, { ...posix, platform: 'win32' })).toBe(true);
    expect(isAppUrl(url, posix)).toBe(false);
  });
});

describe('navigation rules', () => {
  it('same page: a reload or a fragment; anything else is another page', () => {
    const here = 'file:///app/index.html#/watchlist';
    expect(isSamePage('file:///app/index.html#/chains', here)).toBe(true);
    expect(isSamePage('file:///app/index.html', here)).toBe(true);
    expect(isSamePage('file:///app/other.html', here)).toBe(false);
    expect(isSamePage('https://evil.example/', here)).toBe(false);
    expect(isSamePage('file:///app/index.html?debug=1', here)).toBe(false);
  });

  it('only http(s) links go to the system browser', () => {
    expect(isExternalLink('https://dhanhq.co/docs/v2/')).toBe(true);
    expect(isExternalLink('http://example.com')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-settings:privacy', '']) expect(isExternalLink(url), url).toBe(false);
  });
});

describe('withCsp', () => {
  it('replaces any policy the response had with the app one, whatever the header case', () => {
    const out = withCsp({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html' });
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [APP_CSP] });
    expect(APP_CSP).toMatch(/default-src 'self'.*connect-src 'self'.*style-src 'self' 'unsafe-inline'.*img-src 'self' data:/);
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [APP_CSP] });
  });
});
