import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stderrLogger, type ArchivistLogger } from './archivist-logger.js';
import { ARCHIVIST_ROUTES, type Route } from './archivist-routes.js';
import { FactStore } from './fact-store.js';
import { loadGellishTables, type GellishLoadResult } from './gellish-table-loader.js';
import { HttpError, sendJson } from './http-io.js';
import { RequestStats } from './request-stats.js';
import { SubmissionJournal } from './submission-journal.js';
import { applySubmission } from './submissions.js';
import { SubmissionQueue, UidReserver } from './fact-submission.js';

export interface ArchivistServerOptions {
  /** Gellish expression tables forming one graph. */
  dataFiles: readonly string[];
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Append-only file persisting submissions; replayed at start. */
  journalFile?: string;
  logger?: ArchivistLogger;
}

export interface ArchivistServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  store: FactStore;
  /** Requests served per endpoint path (also GET /stats, reset by DELETE /stats). */
  stats: RequestStats;
  /** What loading read and rejected (`load.facts` is empty: the rows went straight into `store`). */
  load: GellishLoadResult;
  /** Stops listening, drops open connections and closes the journal. */
  close(): Promise<void>;
}

function routeTable(): Map<string, Map<string, Route>> {
  const table = new Map<string, Map<string, Route>>();
  for (const route of ARCHIVIST_ROUTES) {
    let byMethod = table.get(route.path);
    if (!byMethod) table.set(route.path, (byMethod = new Map()));
    byMethod.set(route.method, route);
  }
  return table;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Loads the tables, replays the journal and serves the Archivist HTTP contract
 * (spec §6) on host:port. Throws GellishLoadError when a table cannot be loaded.
 */
export async function startArchivistServer(options: ArchivistServerOptions): Promise<ArchivistServer> {
  const logger = options.logger ?? stderrLogger;
  const host = options.host ?? '127.0.0.1';
  // Rows go straight into the column store as they are read: no table is held as objects.
  const store = FactStore.open();
  const load = await loadGellishTables(options.dataFiles, logger, {
    indexOf: (factUid) => store.rowOf(factUid),
    accept: ({ fact, extraColumns }) => store.append(fact, extraColumns),
  });
  store.seal();
  const stats = new RequestStats();

  let journal: SubmissionJournal | undefined;
  if (options.journalFile) {
    const opened = await SubmissionJournal.open(options.journalFile, logger);
    journal = opened.journal;
    let skipped = 0;
    for (const submission of opened.submissions) {
      if (submission.kind === 'facts') {
        try {
          store.add(submission.facts);
        } catch {
          skipped++; // a fact uid the tables now hold themselves
        }
      } else if (!applySubmission(store, submission)) skipped++;
    }
    logger.info(
      `replayed ${opened.submissions.length - skipped} submissions from ${options.journalFile}` +
        (skipped > 0 ? `, skipped ${skipped} for unknown facts` : ''),
    );
  }

  // New uids go above everything loaded and replayed (journaled facts are in the store by now).
  const submissions = { reserver: new UidReserver(store.highestUid), queue: new SubmissionQueue() };

  const routes = routeTable();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://archivist');
    const byMethod = routes.get(url.pathname);
    if (!byMethod) throw new HttpError(404, `no endpoint ${url.pathname}`);
    const route = byMethod.get(req.method ?? '');
    if (!route) {
      res.setHeader('allow', [...byMethod.keys()].join(', '));
      throw new HttpError(405, `${req.method} not allowed on ${url.pathname}`);
    }
    if (route.counted) stats.record(route.path);
    const result = await route.handler({ store, stats, journal, submissions, query: url.searchParams, req });
    sendJson(res, 200, result);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close');
        sendJson(res, error.status, { ...error.details, error: error.message });
        return;
      }
      logger.error(`${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
      sendJson(res, 500, { error: 'internal error' });
    });
  });

  let address: AddressInfo;
  try {
    address = await listen(server, options.port ?? 0, host);
  } catch (error) {
    await journal?.close();
    throw error;
  }
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    store,
    stats,
    load,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }).then(() => journal?.close())),
  };
}
