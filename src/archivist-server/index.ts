/** The embedded Archivist's public API. */
export { startArchivistServer, type ArchivistServer, type ArchivistServerOptions } from './archivist-server.js';
export { bundledKnowledgeBasePaths } from './bundled-knowledge-base.js';
export { FactStore } from './fact-store.js';
export {
  GellishLoadError,
  loadGellishTables,
  type GellishLoadResult,
  type LoadedFact,
  type LoadedFactSink,
  type RejectedRow,
} from './gellish-table-loader.js';
export { stderrLogger, silentLogger, type ArchivistLogger } from './archivist-logger.js';
export { RequestStats, type RequestStatsSnapshot } from './request-stats.js';
