/** The logging surface the embedded Archivist needs; a winston logger fits it. */
export interface ArchivistLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

function writeLine(level: string, message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${level} [archivist] ${message}\n`);
}

/** The default logger: one plain line per message on stderr. */
export const stderrLogger: ArchivistLogger = {
  info: (message) => writeLine('info', message),
  warn: (message) => writeLine('warn', message),
  error: (message) => writeLine('error', message),
};

/** A logger that drops everything (useful for quiet tests). */
export const silentLogger: ArchivistLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
