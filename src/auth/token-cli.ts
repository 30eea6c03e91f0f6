#!/usr/bin/env node
/**
 * `npm run token -- --sub alice [--ttl 1h] [--admin] [--issuer X] [--audience Y] [--private-key key.pem]`
 * prints a JWT for the configured key on stdout (errors: one line on stderr, exit 1).
 */
import { loadConfig } from '../config/load-config.js';
import { mintTokenCommand, TOKEN_CLI_USAGE } from './mint-token-command.js';

async function main(): Promise<number> {
  try {
    const config = loadConfig();
    const result = await mintTokenCommand(process.argv.slice(2), config);
    if (result.help) {
      process.stdout.write(`${TOKEN_CLI_USAGE}\n`);
      return 0;
    }
    process.stdout.write(`${result.token}\n`);
    return 0;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    process.stderr.write(`token: ${message}\n`);
    return 1;
  }
}

process.exitCode = await main();
