/**
 * The product's name and Dhan's limits, declared once: the engine, the simulator and the UI all
 * read them from here.
 */

/** The product's name: package, CLI and window title. */
export const PRODUCT_NAME = 'strikedesk';

/** Dhan's limit on feed connections per user. */
export const MAX_FEED_SOCKETS = 5;
/** Dhan's limit on instruments per feed connection. */
export const MAX_INSTRUMENTS_PER_SOCKET = 5000;
/** Dhan's limit on instruments in one subscribe message. */
export const MAX_INSTRUMENTS_PER_MESSAGE = 100;
/** The live-instrument budget of one user: 5 sockets x 5,000. */
export const INSTRUMENT_CAP = MAX_FEED_SOCKETS * MAX_INSTRUMENTS_PER_SOCKET;

/**
 * V8 flags of the engine process (the desktop app's utility process; `npm run serve` passes the
 * same in package.json, and the tests start it from there). A 2 MB young generation instead of
 * V8's 16 MB semi-spaces: the feed's garbage dies young either way, and the engine holds ~28 MB
 * less (measured: RSS 286 -> 258 MB at 25,000 live instruments and 20k packets/s).
 */
export const ENGINE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** The most legs a strategy may have (issue 19): the API refuses more, the database checks it. */
export const MAX_STRATEGY_LEGS = 20;
