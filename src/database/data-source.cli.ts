/**
 * The DataSource file of the TypeORM CLI (`npm run migration:*`, through
 * scripts/typeorm.mjs). It reads the same configuration as the service: with
 * POSTGRES_HOST set it connects there; without it, it starts the embedded
 * PostgreSQL (same data folder as the service) and stops it when the CLI exits.
 */
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config.js';
import { createWinstonLogger } from '../logging/logger.factory.js';
import { dataSourceOptions, externalEndpoint, type DatabaseEndpoint } from './data-source-options.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

const config = loadConfig();
let endpoint: DatabaseEndpoint | undefined = externalEndpoint(config);
if (!endpoint) {
  const logger = createWinstonLogger({ env: config.env, logging: { ...config.logging, files: false } });
  const embedded = await startEmbeddedPostgres({
    dataDir: config.database.embedded.dataDir,
    port: config.database.embedded.port,
    database: config.database.database,
    logger,
  });
  // The CLI ends with process.exit(): only synchronous work runs then. stop()
  // sends the server its shutdown signal synchronously; PostgreSQL finishes the
  // fast shutdown on its own.
  process.once('exit', () => {
    void embedded.stop();
  });
  endpoint = embedded;
}

const dataSource = new DataSource(dataSourceOptions(config, endpoint));
export default dataSource;
