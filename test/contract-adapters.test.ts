/**
 * The command table carried over HTTP, end to end, without an engine: every command in
 * src/shared/commands.ts goes over real HTTP on 127.0.0.1 (the request built by the client's
 * `restRequest`, matched by the server's routes) to a recording api, and arrives as the right
 * command with the parsed request, validated exactly once on the way (one schema parse per call).
 * The IPC adapter's counterpart is in main-ipc.test.ts; the in-process one in
 * src/shared/validate.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeHttp, createHttpServer, listenHttp } from '../src/server/http-api';
import { COMMAND_NAMES, type CommandName } from '../src/shared/commands';
import { requestSchemas, type Api } from '../src/shared/contract';
import { restRequest } from '../src/shared/rest-routes';
import { COMMAND_SAMPLES, parsedSample } from './helpers/command-samples';

const TOKEN = 'c'.repeat(64);

/** An api whose every handler records its call and answers a marker. */
function recordingApi(): { api: Api; calls: { name: CommandName; request: unknown }[] } {
  const calls: { name: CommandName; request: unknown }[] = [];
  const entries = COMMAND_NAMES.map((name) => [name, async (request: unknown) => (calls.push({ name, request }), { answered: name })]);
  // A stand-in for every handler: the responses are markers, not the contract's shapes.
  return { api: Object.fromEntries(entries) as unknown as Api, calls };
}

const rec = recordingApi();
let server: ReturnType<typeof createHttpServer>;
let port: number;

beforeAll(async () => {
  server = createHttpServer({ api: rec.api, token: TOKEN, log: () => {} });
  port = await listenHttp(server, 0);
});
afterAll(async () => {
  await closeHttp(server);
});
afterEach(() => {
  vi.restoreAllMocks();
  rec.calls.length = 0;
});

async function send(r: { method: string; path: string; body?: string }): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${r.path}`, {
    method: r.method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(r.body !== undefined ? { body: r.body } : {}),
  });
  return { status: res.status, json: await res.json() };
}

describe('HTTP adapter: every command of the table', () => {
  it('reaches its handler through its REST route with the parsed request, validated once', async () => {
    const spies = COMMAND_NAMES.map((name) => [name, vi.spyOn(requestSchemas[name], 'safeParse')] as const);
    for (const name of COMMAND_NAMES) {
      expect({ name, ...(await send(restRequest(name, COMMAND_SAMPLES[name]))) }).toEqual({ name, status: 200, json: { answered: name } });
    }
    expect(rec.calls).toEqual(COMMAND_NAMES.map((name) => ({ name, request: parsedSample(name) })));
    expect(Object.fromEntries(spies.map(([name, spy]) => [name, spy.mock.calls.length]))).toEqual(Object.fromEntries(COMMAND_NAMES.map((n) => [n, 1])));
  });

  it('refuses a bad request at the edge: 400, the handler never called', async () => {
    const res = await send(restRequest('option-chain:unsubscribe', { view_id: '' }));
    expect(res).toEqual({ status: 400, json: { ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^view_id: /) } } });
    // A literal path owns itself: GET option-chain/unsubscribe is the wrong method, not a symbol.
    expect(await send({ method: 'GET', path: '/api/v2/option-chain/unsubscribe' })).toEqual({ status: 405, json: { ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^GET .*option-chain\/unsubscribe/) } } });
    expect(rec.calls).toEqual([]);
  });

  it('takes literal paths before parameters: subscriptions/status is not a token', async () => {
    await send({ method: 'GET', path: '/api/v2/subscriptions/status' });
    await send({ method: 'GET', path: '/api/v2/subscriptions/active' });
    await send({ method: 'GET', path: '/api/v2/subscriptions/NSE_FNO%3A35001' });
    expect(rec.calls.map((c) => c.name)).toEqual(['subscriptions:status', 'subscriptions:active', 'subscriptions:get']);
  });
});
