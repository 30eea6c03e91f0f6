import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { Ajv } from 'ajv';
import { projectRoot } from '../../src/common/project-root.js';
import { bundledKnowledgeBasePaths, silentLogger, startArchivistServer } from '../../src/archivist-server/index.js';
import { databaseEnv, realPostgres, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';

/** The HTTP routes of spec §4 and §10, each with its methods. */
const PROBE_ROUTES = {
  '/artificialIntelligence/conjureDefinition': ['get'],
  '/health': ['get'],
  '/health/ready': ['get'],
  '/metrics': ['get'],
};
const ALL_ROUTES = { ...PROBE_ROUTES, '/debug/heapdump': ['post'] };
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const packageVersion = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string })
  .version;

async function fetchDocument(url: string): Promise<OpenAPIV3.Document> {
  const res = await fetch(`${url}/api-json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return (await res.json()) as OpenAPIV3.Document;
}

/** Every path of the document with its HTTP methods. */
function routesOf(document: OpenAPIV3.Document): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => [path, HTTP_METHODS.filter((m) => m in (item ?? {}))]),
  );
}

/** The document validates against the OpenAPI schema and its references resolve (no errors). */
async function assertValid(document: OpenAPIV3.Document): Promise<OpenAPIV3.Document> {
  assert.match(document.openapi, /^3\./);
  return (await SwaggerParser.validate(structuredClone(document))) as OpenAPIV3.Document;
}

function jsonSchemaOf(document: OpenAPIV3.Document, path: string, method: 'get' | 'post', status: string): object {
  const response = document.paths[path]?.[method]?.responses[status] as OpenAPIV3.ResponseObject | undefined;
  const schema = response?.content?.['application/json']?.schema;
  assert.ok(schema, `${method.toUpperCase()} ${path} documents no JSON body for ${status}`);
  return schema;
}

/** A copy of a dereferenced schema in which no object allows properties it does not describe. */
function closed(schema: object): object {
  if (Array.isArray(schema))
    return schema.map((item: unknown) => (item && typeof item === 'object' ? closed(item) : item));
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema))
    copy[key] = value && typeof value === 'object' ? closed(value) : value;
  if (copy.type === 'object' && copy.properties) copy.additionalProperties = false;
  return copy;
}

describe('OpenAPI document and Swagger UI (outside production: on by default)', () => {
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({ ...db.env, DEBUG_ENDPOINTS: 'true' });
  });
  after(async () => {
    if (clarity?.child.exitCode === null) await clarity.stop();
    await cleanup?.();
  });

  test('/api is the Swagger UI page; its scripts and styles load under the Content-Security-Policy', async () => {
    const page = await fetch(`${clarity.url}/api`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<div id="swagger-ui">/);

    const csp = page.headers.get('content-security-policy') ?? '';
    const directive = (name: string): string[] | undefined =>
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .find(([n]) => n === name)
        ?.slice(1);
    assert.ok(directive('script-src')?.includes("'self'"), csp);
    assert.ok(directive('style-src')?.includes("'unsafe-inline'"), `inline <style> blocks of the page: ${csp}`);
    assert.equal(directive('upgrade-insecure-requests'), undefined, 'assets must load over plain HTTP too');

    // Every script is an external file of the same origin (script-src 'self' forbids inline code).
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 3, html);
    const assets: Array<[string, RegExp]> = [];
    for (const [, attributes, body] of scripts) {
      assert.equal(body!.trim(), '', `inline script on the page: ${body}`);
      const src = /\bsrc="([^"]+)"/.exec(attributes!)?.[1];
      assert.ok(src, `script without src: ${attributes}`);
      assets.push([src, /javascript/]);
    }
    for (const [, href] of html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)) {
      assets.push([href!, /^text\/css/]);
    }
    assert.ok(
      assets.some(([src]) => src.endsWith('swagger-ui.css')),
      'the page links swagger-ui.css',
    );
    for (const [src, type] of assets) {
      const asset = new URL(src, `${clarity.url}/api`);
      assert.equal(asset.origin, new URL(clarity.url).origin, `${src} is not same-origin`);
      const res = await fetch(asset);
      assert.equal(res.status, 200, asset.href);
      assert.match(res.headers.get('content-type') ?? '', type, asset.href);
      assert.ok((await res.arrayBuffer()).byteLength > 0, asset.href);
    }
  });

  test('/api-json is a valid OpenAPI 3 document of exactly the HTTP routes', async () => {
    const document = await fetchDocument(clarity.url);
    await assertValid(document);
    assert.deepEqual(routesOf(document), ALL_ROUTES);
    assert.equal(document.info.title, 'Clarity');
    assert.equal(document.info.version, packageVersion);
    assert.match(document.info.description ?? '', /Socket\.IO/);
    assert.match(document.info.description ?? '', /AsyncAPI document/);
  });

  test('it says what each route answers', async () => {
    const document = await fetchDocument(clarity.url);
    const resolved = await assertValid(document);
    const health = resolved.paths['/health']!.get!;
    assert.deepEqual(Object.keys(health.responses), ['200']);
    const ready = resolved.paths['/health/ready']!.get!;
    assert.deepEqual(Object.keys(ready.responses).sort(), ['200', '503']);
    const metrics = resolved.paths['/metrics']!.get!.responses['200'] as OpenAPIV3.ResponseObject;
    assert.deepEqual(Object.keys(metrics.content ?? {}), ['text/plain']);
    assert.equal((metrics.content!['text/plain']!.schema as OpenAPIV3.SchemaObject).type, 'string');

    const heapdump = resolved.paths['/debug/heapdump']!.post!;
    assert.deepEqual(Object.keys(heapdump.responses).sort(), ['201', '401', '403']);
    const heapdumpBody = jsonSchemaOf(resolved, '/debug/heapdump', 'post', '201') as OpenAPIV3.SchemaObject;
    assert.ok(heapdumpBody.properties?.file, 'the answer names the snapshot file');
    const [requirement] = heapdump.security ?? [];
    const [scheme] = Object.keys(requirement ?? {});
    assert.ok(scheme, 'POST /debug/heapdump declares its security');
    assert.deepEqual(
      { ...(resolved.components?.securitySchemes?.[scheme] as OpenAPIV3.HttpSecurityScheme), description: undefined },
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: undefined },
    );
    for (const path of ['/health', '/health/ready', '/metrics']) {
      assert.equal(resolved.paths[path]!.get!.security, undefined, `${path} needs no token`);
    }
  });

  test('the live /health and /health/ready answers match their documented schemas (spec §4 shape)', async () => {
    const resolved = await assertValid(await fetchDocument(clarity.url));
    const healthSchema = jsonSchemaOf(resolved, '/health', 'get', '200') as OpenAPIV3.SchemaObject;
    assert.deepEqual([...(healthSchema.required ?? [])].sort(), [
      'dependencies',
      'service',
      'status',
      'timestamp',
      'uptime',
      'version',
    ]);
    const dependencies = healthSchema.properties!.dependencies as OpenAPIV3.SchemaObject;
    assert.deepEqual([...(dependencies.required ?? [])].sort(), ['ai', 'archivist', 'cache', 'database']);
    for (const name of ['database', 'archivist', 'cache', 'ai']) {
      assert.deepEqual((dependencies.properties![name] as OpenAPIV3.SchemaObject).enum, [
        'connected',
        'available',
        'unavailable',
        'disabled',
      ]);
    }

    const ajv = new Ajv({ strict: false, allErrors: true });
    const check = async (path: string, expectedStatus: number, schema: object): Promise<void> => {
      const res = await fetch(`${clarity.url}${path}`);
      assert.equal(res.status, expectedStatus, path);
      const body: unknown = await res.json();
      const validate = ajv.compile(closed(schema));
      assert.ok(validate(body), `${path}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}`);
    };
    await check('/health', 200, healthSchema);
    await check('/health/ready', 200, jsonSchemaOf(resolved, '/health/ready', 'get', '200'));
  });
});

const productionSkip = realPostgres()
  ? undefined
  : 'NODE_ENV=production needs POSTGRES_HOST (a real PostgreSQL; CI exports it)';
if (productionSkip) process.stdout.write(`# openapi production cases skipped: ${productionSkip}\n`);

describe('in production', { skip: productionSkip }, () => {
  let production: Record<string, string>;
  let cleanup: () => Promise<void>;
  let closeArchivist: () => Promise<void>;

  before(async () => {
    const archivist = await startArchivistServer({
      dataFiles: bundledKnowledgeBasePaths(),
      port: 0,
      logger: silentLogger,
    });
    closeArchivist = () => archivist.close();
    const db = await databaseEnv();
    cleanup = db.cleanup;
    production = { ...db.env, NODE_ENV: 'production', ARCHIVIST_URL: archivist.url };
  });
  after(async () => {
    await closeArchivist?.();
    await cleanup?.();
  });

  test('without API_DOCS neither /api nor /api-json exists', async () => {
    const clarity = await startClarityProcess(production);
    try {
      for (const path of ['/api', '/api/', '/api-json', '/api/swagger-ui-bundle.js', '/api/swagger-ui-init.js']) {
        assert.equal((await fetch(`${clarity.url}${path}`)).status, 404, path);
      }
      assert.equal((await fetch(`${clarity.url}/health`)).status, 200);
    } finally {
      await clarity.stop();
    }
  });

  test('API_DOCS=true serves them; closed debug endpoints are left out of the document', async () => {
    const clarity = await startClarityProcess({ ...production, API_DOCS: 'true' });
    try {
      const page = await fetch(`${clarity.url}/api`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const document = await fetchDocument(clarity.url);
      await assertValid(document);
      assert.deepEqual(routesOf(document), PROBE_ROUTES);
    } finally {
      await clarity.stop();
    }
  });
});
