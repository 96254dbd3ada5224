/**
 * The desktop app's log: lines go to the console (for `npm run dev`) and to
 * `<userData>/logs/strikedesk.log`, where a trader can find them ("see the strikedesk log").
 * The file is started afresh when it passes 5 MB at start-up (the previous one is kept as
 * strikedesk.old.log), so it never grows without bound. Engine lines arrive already masked of
 * every Dhan token; main never logs a token.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'info' | 'warn' | 'error';
export type MainLog = (level: LogLevel, line: string) => void;

const MAX_BYTES = 5 * 1024 * 1024;

/** A logger writing to `<dir>/strikedesk.log` and the console. */
export function createMainLog(dir: string): MainLog {
  const file = join(dir, 'strikedesk.log');
  let fileOk = true;
  try {
    mkdirSync(dir, { recursive: true });
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_BYTES) renameSync(file, join(dir, 'strikedesk.old.log'));
  } catch {
    fileOk = false;
  }
  return (level, line) => {
    const text = `${new Date().toISOString()} ${level.padEnd(5)} ${line}`;
    if (level === 'info') console.log(text);
    else console.error(text);
    if (!fileOk) return;
    try {
      appendFileSync(file, `${text}\n`);
    } catch {
      fileOk = false; // a full disk must not take the app down; the console still has it
    }
  };
}
