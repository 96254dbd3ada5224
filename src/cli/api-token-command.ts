/** `api-token [--data-dir DIR]`: print the loopback API's bearer token, creating it if needed. */
import { resolve } from 'node:path';
import { defaultDataDir, loadOrCreateApiToken } from '../server/api-token';
import type { CliIo } from './io';

/** Print the per-install API token of `dataDir` (default ~/.strikedesk). */
export function apiTokenCommand(options: { dataDir: string | undefined }, io: CliIo): void {
  io.out(loadOrCreateApiToken(resolve(options.dataDir ?? defaultDataDir())));
}
