/** Browser mode: the built UI is served from the API's port, the API still needs its token. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../src/shared/contract';
import { closeHttp, createHttpServer, listenHttp } from '../src/server/http-api';

let dir: string;
let port: number;
let server: ReturnType<typeof createHttpServer>;
const TOKEN = 'a'.repeat(64);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strikedesk-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>strikedesk</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, '..', 'strikedesk-secret.txt'), 'TOP-SECRET-CONTENT-4711');
  // The API is not reached by these requests except the token check below.
  server = createHttpServer({ api: {} as unknown as Api, token: TOKEN, staticDir: dir, log: () => undefined });
  port = await listenHttp(server, 0);
});
afterAll(async () => {
  await closeHttp(server);
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(dir, '..', 'strikedesk-secret.txt'), { force: true });
});

/** A raw GET (fetch would normalise `..` away before sending). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser mode', () => {
  it('serves the UI without a token, with content types, and falls back to index.html for app routes', async () => {
    expect(await get('/?token=x')).toMatchObject({ status: 200, type: expect.stringMatching(/text\/html/), body: expect.stringContaining('strikedesk') });
    expect(await get('/assets/app.js')).toMatchObject({ status: 200, type: expect.stringMatching(/javascript/) });
    expect(await get('/watchlist/u1')).toMatchObject({ status: 200, type: expect.stringMatching(/text\/html/) });
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('never serves a file outside the folder, and still guards the Host and the API', async () => {
    for (const path of ['/../strikedesk-secret.txt', '/%2e%2e/strikedesk-secret.txt', '/assets/..%2f..%2fstrikedesk-secret.txt']) {
      const r = await get(path);
      expect(r.body, path).not.toContain('TOP-SECRET-CONTENT-4711');
      expect(r.status, path).toBe(404);
    }
    expect((await get('/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get('/api/v2/subscriptions/status')).status).toBe(401);
  });
});
