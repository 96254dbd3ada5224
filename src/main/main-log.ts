/**
 * The desktop app's log: lines go to the console (for `npm run dev`) and to
 * `<userData>/logs/strikedesk.log`, where a trader can find them ("see the strikedesk log").
 * Engine lines arrive already masked of every Dhan token; main never logs a token.
 *
 * Rotation policy: the file is rotated by size while the app runs, not only at start-up, so a
 * long session cannot grow it without bound. Before a line that would take `strikedesk.log` past
 * `maxBytes` (5 MB), the file becomes `strikedesk.1.log`, the older ones shift up
 * (`.1` -> `.2` -> `.3`) and the oldest beyond `keep` (3) is deleted: at most about
 * (keep + 1) x 5 MB on disk. The rotated names keep the `.log` extension so they still open in a
 * text editor on every system.
 *
 * The check is cheap: the file's size is read once (one stat when the logger is created) and a
 * running byte count is kept from there, so a write costs no stat. A file left over the limit by
 * the last run is rotated at the first write. Only this process writes the file (the app holds
 * the single-instance lock), so the count stays true. If a rotation fails (Windows refuses to
 * rename a file another program holds open), the line still goes to the current file and the
 * rotation is tried again after another `maxBytes`: the log is never lost for want of rotating.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'info' | 'warn' | 'error';
export type MainLog = (level: LogLevel, line: string) => void;

export const LOG_FILE = 'strikedesk.log';
export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 3;

export interface MainLogOptions {
  /** The size past which the current file is rotated; 5 MB by default. Tests pass a small one. */
  maxBytes?: number;
  /** How many rotated files to keep (`strikedesk.1.log` newest .. `strikedesk.<keep>.log`); 3 by default. */
  keep?: number;
}

/** The name of the n-th rotated file, 1 being the newest. */
export function rotatedLogName(n: number): string {
  return `strikedesk.${n}.log`;
}

/** A logger writing to `<dir>/strikedesk.log` (rotated by size) and the console. */
export function createMainLog(dir: string, options: MainLogOptions = {}): MainLog {
  const maxBytes = Math.max(1, Math.trunc(options.maxBytes ?? DEFAULT_LOG_MAX_BYTES));
  const keep = Math.max(1, Math.trunc(options.keep ?? DEFAULT_LOG_KEEP));
  const file = join(dir, LOG_FILE);
  let fileOk = true;
  /** Bytes in the current file (or appended since a failed rotation). */
  let size = 0;
  try {
    mkdirSync(dir, { recursive: true });
    size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    fileOk = false;
  }

  const rotate = (): void => {
    try {
      rmSync(join(dir, rotatedLogName(keep)), { force: true });
      for (let n = keep - 1; n >= 1; n--) renameIfPresent(join(dir, rotatedLogName(n)), join(dir, rotatedLogName(n + 1)));
      renameIfPresent(file, join(dir, rotatedLogName(1)));
    } catch {
      // Keep writing to the current file; the count restarts so the next try is another maxBytes away.
    }
    size = 0;
  };

  return (level, line) => {
    const text = `${new Date().toISOString()} ${level.padEnd(5)} ${line}`;
    if (level === 'info') console.log(text);
    else console.error(text);
    if (!fileOk) return;
    const entry = `${text}\n`;
    const bytes = Buffer.byteLength(entry);
    if (size > 0 && size + bytes > maxBytes) rotate();
    try {
      appendFileSync(file, entry);
      size += bytes;
    } catch {
      fileOk = false; // a full disk must not take the app down; the console still has it
    }
  };
}

/** Renames `from` to `to`; a missing `from` (a gap in the rotated files) is not an error. */
function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
