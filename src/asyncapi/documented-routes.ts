import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../common/project-root.js';
import { buildRoutes, type RouteDependencies, type RouteTable } from '../gateway/event-routes.js';
import { asyncApiJson } from './asyncapi-document.js';

/**
 * A stand-in for the services: any property is another stand-in and calling one
 * throws. The route table only closes over its dependencies (handlers call them per
 * request), so it can be built without a running service to document it.
 */
function inert(path: string): unknown {
  const target = function () {};
  return new Proxy(target, {
    get: (_t, key) => (key === 'then' ? undefined : inert(`${path}.${String(key)}`)),
    apply: () => {
      throw new Error(`${path}() called while building the route table for the documents`);
    },
  });
}

/** The gateway's route table, built without services (for the documents). */
export function documentedRoutes(): RouteTable {
  return buildRoutes(inert('deps') as RouteDependencies);
}

/** Where `npm run docs:asyncapi` writes the document (committed; a test keeps it equal to a fresh generation). */
export function asyncApiFilePath(): string {
  return join(projectRoot(), 'docs', 'asyncapi.json');
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The document `npm run docs:asyncapi` writes: the route table of this source tree, the package's version. */
export function generatedAsyncApiJson(): string {
  return asyncApiJson(documentedRoutes(), packageVersion());
}
