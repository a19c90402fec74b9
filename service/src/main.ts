/**
 * `npm start`: the service configured by the environment (CONTRACT §3). A bad configuration prints
 * one line per variable and exits 1; SIGTERM/SIGINT finish the syncs under way before exiting.
 */
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { startService } from './service.ts';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error('Salescaling service: invalid configuration');
    for (const line of err.problems) console.error(`  ${line}`);
    process.exit(1);
  }
  throw err;
}

if (config.apiToken.length < 16) {
  console.error('Salescaling service: warning: SALESCALING_API_TOKEN is shorter than 16 characters');
}

const logger = createLogger(config.logLevel);
const service = await startService({ config, logger }).catch((err: unknown) => {
  logger.fatal({ err: (err as Error).message }, 'could not start');
  // one line for the person starting it, whatever the log level
  console.error(`Salescaling service: could not start: ${(err as Error).message}`);
  process.exit(1);
});
console.error(`Salescaling service listening on ${service.url}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
