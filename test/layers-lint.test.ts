/**
 * The layer lint (eslint.config.mjs, DESIGN.md "Layers and folders") proved on snippets: ESLint's
 * own Node API lints a one-line module as if it sat at a path inside a folder, so every forbidden
 * edge must FAIL with the layer rule and every allowed one must pass cleanly. A rule that stopped
 * resolving paths (and so silently allowed everything) fails here, not in review.
 * The snippets import real project files: an import that does not resolve is not judged.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const LAYER_RULE = 'import-x/no-restricted-paths';
const PACKAGE_RULES = new Set(['no-restricted-imports', '@typescript-eslint/no-restricted-imports']);

let eslint: ESLint;

/** Lint `import * as m from spec` as the file `file` (from the project root); the messages. */
async function lintImport(file: string, spec: string, typeOnly = false): Promise<ESLint.LintResult['messages']> {
  const code = typeOnly ? `import type * as m from '${spec}';\nexport type Used = typeof m;\n` : `import * as m from '${spec}';\nexport const used = m;\n`;
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return result!.messages;
}

const rulesOf = (messages: ESLint.LintResult['messages']): (string | null)[] => messages.map((m) => m.ruleId);

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

describe('layer lint: forbidden edges fail', () => {
  const forbidden: [file: string, spec: string, why: string][] = [
    ['src/core/feed/probe.ts', '../../sim/server', 'core -> sim'],
    ['src/core/api/probe.ts', '../../server/http-api', 'core -> server'],
    ['src/core/lifecycle/probe.ts', '../../host/engine-boot', 'core -> host'],
    ['src/core/api/probe.ts', '../../main/app-pages', 'core -> main'],
    ['src/core/api/probe.ts', '../app', 'core/api -> app.ts (the composition root)'],
    ['src/core/feed/probe.ts', '../app', 'core/feed -> app.ts'],
    ['src/core/probe.ts', './app', 'core -> app.ts from beside it'],
    ['src/core/feed/probe.ts', '../subscriptions/placement', 'feed -> subscriptions'],
    ['src/core/subscriptions/probe.ts', '../feed/feed-pool', 'subscriptions -> feed beyond its placement types'],
    ['src/shared/probe.ts', '../core/app', 'shared -> core'],
    ['src/shared/probe.ts', '../server/http-api', 'shared -> server'],
    ['src/main/probe.ts', '../core/api/create-api', 'main -> core'],
    ['src/main/probe.ts', '../server/http-api', 'main -> server'],
    ['src/main/probe.ts', '../host/engine-host', 'main -> host beyond its process protocol'],
    ['src/server/probe.ts', '../core/app', 'server -> core beyond core/api'],
    ['src/server/probe.ts', '../sim/server', 'server -> sim'],
    ['src/sim/probe.ts', '../core/feed/feed-pool', 'sim -> core beyond the feed codec'],
    ['src/sim/probe.ts', '../server/http-api', 'sim -> server'],
    ['src/renderer/src/probe.ts', '../../core/app', 'renderer -> core'],
    ['src/renderer/src/probe.ts', '../../host/engine-protocol', 'renderer -> host'],
    ['src/preload/probe.ts', '../core/app', 'preload -> core'],
  ];
  for (const [file, spec, why] of forbidden) {
    it(`${why} (${file} imports ${spec})`, async () => {
      expect(rulesOf(await lintImport(file, spec))).toContain(LAYER_RULE);
    });
  }

  it('judges type-only imports too (`import type { App }` in core/api)', async () => {
    expect(rulesOf(await lintImport('src/core/api/probe.ts', '../app', true))).toContain(LAYER_RULE);
    expect(rulesOf(await lintImport('src/main/probe.ts', '../core/app', true))).toContain(LAYER_RULE);
  });

  it('judges where a path lands, not how it is spelled', async () => {
    expect(rulesOf(await lintImport('src/core/feed/probe.ts', '../../core/../sim/server'))).toContain(LAYER_RULE);
    expect(rulesOf(await lintImport('src/core/feed/probe.ts', '../../../src/sim/server'))).toContain(LAYER_RULE);
  });

  it('keeps the package rules: shared takes only zod, no electron outside main/preload, no Node in the renderer or preload', async () => {
    const cases: [string, string][] = [
      ['src/shared/probe.ts', 'node:fs'],
      ['src/shared/probe.ts', 'ws'],
      ['src/shared/probe.ts', 'react'],
      ['src/core/feed/probe.ts', 'electron'],
      ['src/host/probe.ts', 'electron'],
      ['src/renderer/src/probe.ts', 'node:path'],
      ['src/preload/probe.ts', 'zod'],
      ['src/preload/probe.ts', 'node:fs'],
    ];
    for (const [file, spec] of cases) {
      const rules = rulesOf(await lintImport(file, spec));
      expect(rules.some((r) => r !== null && PACKAGE_RULES.has(r)), `${file} imports ${spec}`).toBe(true);
    }
  });
});

describe('layer lint: allowed edges pass', () => {
  const allowed: [file: string, spec: string][] = [
    ['src/core/api/probe.ts', '../../shared/contract'],
    ['src/core/api/probe.ts', '../feed/quote-store'],
    ['src/core/subscriptions/probe.ts', '../feed/placement-types'],
    ['src/core/subscriptions/probe.ts', '../instruments/registry'],
    ['src/core/probe.ts', '../shared/errors'],
    ['src/shared/probe.ts', './contract'],
    ['src/shared/probe.ts', 'zod'],
    ['src/server/probe.ts', '../core/api/views'],
    ['src/server/probe.ts', '../shared/rest-routes'],
    ['src/sim/probe.ts', '../core/feed/feed-codec'],
    ['src/sim/probe.ts', '../core/feed/feed-protocol'],
    ['src/host/probe.ts', '../sim/server'],
    ['src/host/probe.ts', '../server/http-api'],
    ['src/host/probe.ts', '../core/api/stream-session'],
    ['src/main/probe.ts', '../host/engine-protocol'],
    ['src/main/probe.ts', '../shared/ipc-channels'],
    ['src/main/probe.ts', 'electron'],
    ['src/preload/probe.ts', '../shared/commands'],
    ['src/renderer/src/probe.ts', '../../shared/rest-routes'],
  ];
  for (const [file, spec] of allowed) {
    it(`${file} imports ${spec}`, async () => {
      expect(await lintImport(file, spec)).toEqual([]);
    });
  }
});
