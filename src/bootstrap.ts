import 'reflect-metadata';
import type { Socket } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type winston from 'winston';
import type { AppConfig } from './config/app-config.js';
import { AppModule } from './app.module.js';
import { NestWinstonLogger } from './logging/nest-logger.js';
import { LifecycleState } from './health/lifecycle-state.js';
import { RedisService } from './redis/redis.service.js';
import { ClarityIoAdapter } from './gateway/socket-io.adapter.js';
import { RequestTracker } from './gateway/request-tracker.js';
import { ROUTE_TABLE, type RouteTable } from './gateway/event-routes.js';
import { asyncApiJson } from './asyncapi/asyncapi-document.js';
import { collectStartupGarbage } from './common/startup-heap.js';

/** How long closing connections may take on shutdown before the remaining ones are dropped. */
const CLOSE_GRACE_MS = 2000;

/** Swagger UI at /api, the OpenAPI document at /api-json (API_DOCS). */
export const API_DOCS_PATH = 'api';

/** The AsyncAPI document of the Socket.IO API (API_DOCS), generated from the running route table. */
export const ASYNCAPI_PATH = '/asyncapi.json';

export interface RunningClarity {
  app: NestExpressApplication;
  url: string;
  /** Readiness 503, wait for in-flight work, close sockets, pool and embedded servers. */
  shutdown(reason: string): Promise<void>;
}

/**
 * OpenAPI document of the HTTP routes at /api-json and the Swagger UI at /api,
 * built from the controllers' decorators on the first request.
 */
export function setupApiDocs(app: NestExpressApplication, config: AppConfig): void {
  // The UI is the only HTML page: helmet's default CSP fits it (scripts and styles from 'self'), except
  // upgrade-insecure-requests, which would send its assets to https when the page is opened over plain HTTP.
  app.use(`/${API_DOCS_PATH}`, helmet.contentSecurityPolicy({ directives: { upgradeInsecureRequests: null } }));
  const info = new DocumentBuilder()
    .setTitle('Clarity')
    .setVersion(config.version)
    .setDescription(
      'HTTP routes of Clarity, the semantic model service of the Gellish knowledge platform: probes, ' +
        'Prometheus metrics and operator endpoints. Its clients use the Socket.IO API instead ' +
        '(see the AsyncAPI document).',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT with admin rights' })
    .build();
  SwaggerModule.setup(
    API_DOCS_PATH,
    app,
    () => {
      const document = SwaggerModule.createDocument(app, info);
      // Closed operator endpoints answer 404: the document lists them only when DEBUG_ENDPOINTS is on.
      if (!config.debugEndpoints) {
        for (const path of Object.keys(document.paths)) if (path.startsWith('/debug/')) delete document.paths[path];
      }
      return document;
    },
    { raw: ['json'], customSiteTitle: 'Clarity API' },
  );
  const routes = app.get<RouteTable>(ROUTE_TABLE);
  let asyncApi: string | undefined;
  const http = app.getHttpAdapter();
  http.get(ASYNCAPI_PATH, (_req: unknown, res: unknown) => {
    asyncApi ??= asyncApiJson(routes, config.version);
    http.setHeader(res, 'Content-Type', 'application/json; charset=utf-8');
    http.reply(res, asyncApi, 200);
  });
}

/** Builds and starts the Clarity application on the configured host and port. */
export async function startClarity(config: AppConfig, logger: winston.Logger): Promise<RunningClarity> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), {
    logger: new NestWinstonLogger(logger),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  const origins = config.http.corsOrigins;
  app.enableCors({
    origin: origins.includes('*') ? true : origins.length > 0 ? origins : config.env !== 'production',
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    credentials: !origins.includes('*'),
  });

  if (config.apiDocs) setupApiDocs(app, config);

  const redis = app.get(RedisService);
  app.useWebSocketAdapter(
    new ClarityIoAdapter(
      app,
      config,
      redis.isEnabled ? { pub: redis.duplicate(), sub: redis.createSubscriber() } : undefined,
    ),
  );

  // Every TCP connection (HTTP and upgraded WebSockets), so a shutdown can end those that do not close by themselves.
  const connections = new Set<Socket>();
  app.getHttpServer().on('connection', (connection: Socket) => {
    connections.add(connection);
    connection.once('close', () => connections.delete(connection));
  });

  // Start-up's garbage collected now rather than in the middle of the first models.
  const gcMs = collectStartupGarbage();
  logger.debug(`start-up garbage collected in ${gcMs.toFixed(1)} ms`, { context: 'Bootstrap' });
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const url = `http://${host}:${port}`;
  logger.info(`Clarity ${config.version} listening on ${url} (${config.env})`, { context: 'Bootstrap' });

  let closing: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      logger.info(`Shutting down (${reason})`, { context: 'Bootstrap' });
      app.get(LifecycleState).draining = true;
      const idle = await app.get(RequestTracker).idle(config.shutdownTimeoutMs);
      if (!idle)
        logger.warn('Requests still in flight at the shutdown bound; closing anyway', { context: 'Bootstrap' });
      // Sockets get a close handshake; a client that does not read (or answer it) would hold the
      // HTTP server open for the WebSocket close timeout (30 s), past the exit bound: drop those.
      const force = setTimeout(() => {
        if (connections.size === 0) return;
        logger.warn(`Dropping ${connections.size} connection(s) that did not close within ${CLOSE_GRACE_MS} ms`, {
          context: 'Bootstrap',
        });
        for (const connection of connections) connection.destroy();
      }, CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
      logger.info('Shutdown complete', { context: 'Bootstrap' });
    })();
    return closing;
  };
  return { app, url, shutdown };
}
