/**
 * The engine process's entry point, run by `utilityProcess.fork` from the main process.
 *
 * Why a utility process: the engine decodes up to 25,000 instruments' binary ticks, runs SQLite
 * writes and downloads a 35 MB master; in Electron's main process any of that would stall window
 * management, menus and IPC for every window. A utility process is a Chromium-managed child with
 * full Node (better-sqlite3 loads there), a MessagePort to main (no port, no socket to secure) and
 * an `exit` event main can restart on. A worker thread would share the main process's fate on a
 * native crash; a plain child_process would need its own IPC and is not sandbox-aware on macOS.
 */
import type {} from 'electron'; // types only: `process.parentPort`; nothing of electron is loaded here
import { runEngineHost } from './engine-host';

const parent = process.parentPort;
const host = runEngineHost({
  postMessage: (m) => parent.postMessage(m),
  on: (_event, listener) => parent.on('message', (e) => listener(e.data)),
});

process.on('uncaughtException', (err) => {
  host.reportCrash(err);
  // A moment for the message to cross before the process goes; main restarts it on exit.
  setTimeout(() => process.exit(1), 100);
});

// Exit explicitly once done: a timer left by a dependency must not keep a stopped engine alive.
void host.done.then((how) => process.exit(how === 'stopped' ? 0 : 1));
