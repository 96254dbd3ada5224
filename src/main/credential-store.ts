/**
 * The Dhan credentials at rest: one file in the data folder, encrypted with Electron's
 * `safeStorage` (the OS keychain on macOS, DPAPI on Windows, the desktop keyring on Linux).
 *
 * Policy:
 * - Never stored in the clear. When the OS offers no encryption, or on Linux only the
 *   `basic_text` fallback (a hard-coded key, no better than plain text), saving is refused with a
 *   message saying what to install, and nothing is written.
 * - Written atomically (a temp file, then rename) with owner-only permissions.
 * - A file that cannot be decrypted (another user, a new keyring) is ignored with a log line:
 *   the app starts on the simulator and the user enters the token again.
 * - The token is never logged or returned to the window; `load` hands it to main only, which
 *   passes it to the engine in its start message.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../shared/errors';

export const CREDENTIALS_FILE = 'dhan-credentials.bin';

/** The part of Electron's safeStorage this store uses. */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only in Electron; absent elsewhere. */
  getSelectedStorageBackend?(): string;
}

export interface DhanCredentials {
  clientId: string;
  token: string;
}

/** Reads and writes the encrypted credentials file. */
export class CredentialStore {
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly safe: SafeStorageLike,
    private readonly log: (line: string) => void = () => undefined,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.file = join(dataDir, CREDENTIALS_FILE);
  }

  /** Null when encryption is usable, else why not (for the user). */
  async unavailableReason(): Promise<string | null> {
    if (!(await this.safe.isAsyncEncryptionAvailable())) {
      return 'this system offers no encryption for stored secrets (macOS Keychain, Windows DPAPI, or a Linux keyring such as GNOME Keyring or KWallet)';
    }
    if (this.platform === 'linux' && this.safe.getSelectedStorageBackend?.() === 'basic_text') {
      return 'no desktop keyring was found (install and unlock GNOME Keyring or KWallet, then restart strikedesk)';
    }
    return null;
  }

  /** Encrypt and save; throws AppError when encryption is unavailable (nothing is written). */
  async save(credentials: DhanCredentials): Promise<void> {
    const reason = await this.unavailableReason();
    if (reason) throw new AppError('INTERNAL', `the Dhan token was not saved: ${reason}`);
    const plain = JSON.stringify({ client_id: credentials.clientId, access_token: credentials.token });
    const bytes = await this.safe.encryptStringAsync(plain);
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, bytes, { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** The saved credentials, or null when there are none or they cannot be read. */
  async load(): Promise<DhanCredentials | null> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.log(`saved Dhan credentials unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'}): starting on the simulator`);
      return null;
    }
    try {
      const { result, shouldReEncrypt } = await this.safe.decryptStringAsync(bytes);
      const parsed = JSON.parse(result) as { client_id?: unknown; access_token?: unknown };
      if (typeof parsed.client_id !== 'string' || typeof parsed.access_token !== 'string' || !parsed.client_id || !parsed.access_token) throw new Error('bad shape');
      const creds = { clientId: parsed.client_id, token: parsed.access_token };
      // The OS rotated its key: store again under the new one.
      if (shouldReEncrypt) await this.save(creds).catch(() => undefined);
      return creds;
    } catch {
      // Never the error's text: a decrypt failure message could quote the data.
      this.log('saved Dhan credentials could not be decrypted (another user or a new keyring?): starting on the simulator; enter the token again');
      return null;
    }
  }
}
