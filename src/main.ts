import { loadConfig, ConfigError } from './config/load-config.js';
import { createWinstonLogger } from './logging/logger.factory.js';
import { startClarity } from './bootstrap.js';

/**
 * Process entry point: validate the configuration once, start, and exit 0 after a
 * graceful shutdown on SIGTERM/SIGINT (1 if the bound is exceeded or start-up fails).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createWinstonLogger(config);
  process.on('unhandledRejection', (reason) => {
    logger.error(`Unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`, {
      stack: reason instanceof Error ? reason.stack : undefined,
    });
  });

  let running;
  try {
    running = await startClarity(config, logger);
  } catch (error) {
    logger.error(`Clarity failed to start: ${error instanceof Error ? error.message : String(error)}`, {
      stack: error instanceof Error ? error.stack : undefined,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.exit(1);
  }

  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.info(`${signal} received again; shutdown already in progress`);
      return;
    }
    shuttingDown = true;
    const deadline = setTimeout(() => {
      logger.error(`Shutdown exceeded ${config.shutdownTimeoutMs + 4000} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs + 4000);
    deadline.unref();
    running
      .shutdown(signal)
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error(`Shutdown failed: ${String(error)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

void main();
