import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import winston from 'winston';
import type { AppConfig } from '../config/app-config.js';
import { currentContext } from './request-context.js';

/** Adds the correlation id (and user) of the current request to each line. */
const requestContext = winston.format((info) => {
  const ctx = currentContext();
  if (ctx) {
    info.correlationId ??= ctx.correlationId;
    if (ctx.userId) info.userId ??= ctx.userId;
  }
  return info;
});

/** Keys whose values never reach a log line, wherever they appear in metadata. */
const SECRET_KEYS = /^(token|authorization|password|secret|jwt|apikey|api_key|cookie)$/i;

const redactSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEYS.test(key)) info[key] = '[redacted]';
  }
  return info;
});

const readableLine = winston.format.printf((info) => {
  const { timestamp, level, message, context, correlationId, stack, service: _s, ...rest } = info;
  const ctx = context ? ` [${String(context)}]` : '';
  const cid = correlationId ? ` (${String(correlationId)})` : '';
  const meta = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const trace = stack ? `\n${String(stack)}` : '';
  return `${String(timestamp)} ${level}${ctx}${cid}: ${String(message)}${meta}${trace}`;
});

export function createWinstonLogger(config: Pick<AppConfig, 'logging' | 'env'>): winston.Logger {
  const { level, format, dir, files } = config.logging;
  const base = [winston.format.timestamp(), winston.format.errors({ stack: true }), requestContext(), redactSecrets()];
  const consoleFormat =
    format === 'json'
      ? winston.format.combine(...base, winston.format.json())
      : winston.format.combine(...base, winston.format.colorize(), readableLine);
  const transports: winston.transport[] = [
    new winston.transports.Console({ format: consoleFormat, stderrLevels: ['error', 'warn'] }),
  ];
  if (files) {
    mkdirSync(dir, { recursive: true });
    const fileFormat = winston.format.combine(...base, winston.format.json());
    transports.push(
      new winston.transports.File({ filename: join(dir, 'error.log'), level: 'error', format: fileFormat }),
      new winston.transports.File({ filename: join(dir, 'combined.log'), format: fileFormat }),
    );
  }
  return winston.createLogger({ level, defaultMeta: { service: 'clarity' }, transports });
}
