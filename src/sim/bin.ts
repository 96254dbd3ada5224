/**
 * `npm run sim -- [--port N] [--token T] [--client-id C] [--master FILE] [--rate PACKETS_PER_S] [--seed N] [--session clock|always]`:
 * run the simulator in the foreground until SIGINT/SIGTERM. Without --master it serves a master
 * generated for today (IST). `--session clock` trades only in market hours; the default, `always`,
 * runs a simulated session at any hour (the banner says when that is outside market hours).
 */
import { parseArgs } from 'node:util';
import { SESSION_MODES, type SessionMode } from './market-hours';
import { startSimulator, type SimulatorOptions } from './server';

const USAGE = 'usage: npm run sim -- [--port N] [--token T] [--client-id C] [--master FILE] [--rate PACKETS_PER_S] [--seed N] [--session clock|always]';

function integer(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return n;
}

/** Parse the command line into simulator options; throws with a message on bad input. */
function parseSimArgs(argv: readonly string[]): SimulatorOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      token: { type: 'string' },
      'client-id': { type: 'string' },
      master: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      'latency-stamp': { type: 'boolean' },
      session: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const options: SimulatorOptions = {};
  const port = integer('port', values.port, 0);
  if (port !== undefined) {
    if (port > 65535) throw new Error('--port must be at most 65535');
    options.port = port;
  }
  if (values.token !== undefined) options.token = values.token;
  if (values['client-id'] !== undefined) options.clientId = values['client-id'];
  if (values.master !== undefined) options.master = values.master;
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`--rate must be a positive number, got ${JSON.stringify(values.rate)}`);
    options.rate = rate;
  }
  const seed = integer('seed', values.seed, 0);
  if (seed !== undefined) options.seed = seed;
  if (values['latency-stamp']) options.latencyStamp = true;
  if (values.session !== undefined) {
    if (!SESSION_MODES.includes(values.session as SessionMode)) throw new Error(`--session must be clock or always, got ${JSON.stringify(values.session)}`);
    options.session = values.session as SessionMode;
  }
  return options;
}

async function main(): Promise<number> {
  let options: SimulatorOptions;
  try {
    options = parseSimArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(USAGE);
    return 2;
  }
  const started = performance.now();
  const sim = await startSimulator(options);
  const s = sim.stats();
  console.log(`strikedesk simulator: ${s.instruments} instruments, ready in ${Math.round(performance.now() - started)} ms`);
  console.log(`  feed     ${sim.feedUrl}/?version=2&token=${sim.token}&clientId=${sim.clientId}&authType=2`);
  console.log(`  REST     ${sim.apiUrl}   (headers access-token: ${sim.token}, client-id: ${sim.clientId})`);
  console.log(`  control  ${sim.controlUrl}/subscriptions | /stats | /status | POST /faults | POST /move`);
  const status = sim.status();
  console.log(`  session  ${status.session}: ${status.note}`);
  console.log(`  clientId ${sim.clientId}`);
  console.log(`  token    ${sim.token}`);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await sim.stop();
  console.log('simulator stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
