import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import 'reflect-metadata';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ENV_VARIABLES } from '../../src/config/config.schema.js';
import { DEFAULT_CACHE_MAX_MB, recommendedOldSpaceMb } from '../../src/config/cache-budget.js';
import { loadConfig, ConfigError } from '../../src/config/load-config.js';
import { HealthController } from '../../src/health/health.controller.js';
import { readYamlDocuments, repoPath } from '../support/deploy-files.js';

type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
};

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** The exit margin src/main.ts adds to SHUTDOWN_TIMEOUT_MS before it gives up. */
const EXIT_MARGIN_MS = 4000;

const files = readdirSync(repoPath('k8s')).filter((f) => /\.ya?ml$/.test(f));
const manifests = files.flatMap((f) =>
  readYamlDocuments(repoPath('k8s', f)).map((doc) => ({ file: f, doc: doc as Manifest })),
);
const one = <T>(kind: string): T => {
  const found = manifests.filter((m) => m.doc.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}`);
  return found[0]!.doc as unknown as T;
};

const deployment = one<Deployment>('Deployment');
const container = deployment.spec!.template.spec!.containers[0]!;
const configMap = one<ConfigMap>('ConfigMap');
const secret = one<Secret>('Secret');
const service = one<Service>('Service');

/** The environment a pod gets: secret, then ConfigMap, then env (later wins). */
function podEnvironment(secretData: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...secretData, ...configMap.data };
  for (const e of container.env ?? []) env[e.name] = e.value ?? '';
  return env;
}

describe('Kubernetes manifests', () => {
  test('every document validates against the Kubernetes OpenAPI schema', () => {
    assert.ok(manifests.length >= 7);
    for (const { file, doc } of manifests) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      assert.ok(Model, `${file}: no model for ${doc.apiVersion} ${doc.kind}`);
      assert.doesNotThrow(() => new Model(doc as never).validate(), `${file}: ${doc.kind} is invalid`);
    }
  });

  test('everything lives in the relica Namespace, which is defined', () => {
    assert.equal(one<Namespace>('Namespace').metadata!.name, 'relica');
    for (const { file, doc } of manifests) {
      if (doc.kind !== 'Namespace') assert.equal(doc.metadata.namespace, 'relica', file);
    }
  });

  test('ConfigMap, Secret and container env set only variables the service reads', () => {
    const known = new Set<string>(ENV_VARIABLES);
    const keys = [
      ...Object.keys(configMap.data ?? {}),
      ...Object.keys(secret.stringData ?? {}),
      ...Object.keys(secret.data ?? {}),
      ...(container.env ?? []).map((e) => e.name).filter((name) => name !== 'NODE_OPTIONS'),
    ];
    for (const key of keys) assert.ok(known.has(key), `${key} is not a Clarity variable`);
    // NODE_OPTIONS is Node's own: only in the container env, only the V8 heap limit of the cache budget.
    const nodeOptions = (container.env ?? []).find((e) => e.name === 'NODE_OPTIONS')?.value;
    assert.equal(
      nodeOptions,
      `--max-old-space-size=${recommendedOldSpaceMb(Number(configMap.data?.CACHE_MAX_MB ?? DEFAULT_CACHE_MAX_MB))}`,
    );
    const refs = (container.envFrom ?? []).map((e) => e.configMapRef?.name ?? e.secretRef?.name);
    assert.deepEqual(new Set(refs), new Set([configMap.metadata!.name, secret.metadata!.name]));
  });

  test('the Secret is a template: its placeholder cannot start the service', () => {
    const data = secret.stringData ?? {};
    assert.ok(
      Object.values(data).every((v) => v === '' || v === 'change-me'),
      'real-looking secret values',
    );
    assert.throws(
      () => loadConfig(podEnvironment(data), { dotenvPath: null }),
      (e: unknown) => e instanceof ConfigError && /JWT_SECRET/.test(e.message),
    );
  });

  test('with real secrets the pod configuration is valid for production', () => {
    const config = loadConfig(
      podEnvironment({ ...(secret.stringData ?? {}), JWT_SECRET: 'x'.repeat(48), POSTGRES_PASSWORD: 'pw' }),
      { dotenvPath: null },
    );
    assert.equal(config.env, 'production');
    assert.ok(config.redis.url, 'several replicas need Redis');
  });

  test('ports agree: config default = containerPort = probes = Service targetPort', () => {
    const port = loadConfig({}, { dotenvPath: null }).http.port;
    const configured = loadConfig(podEnvironment({ JWT_SECRET: 'x'.repeat(48) }), { dotenvPath: null }).http.port;
    assert.equal(configured, port);
    assert.deepEqual(
      container.ports!.map((p) => p.containerPort),
      [port],
    );
    assert.equal(container.livenessProbe!.httpGet!.port, port);
    assert.equal(container.readinessProbe!.httpGet!.port, port);
    assert.deepEqual(
      service.spec!.ports!.map((p) => p.targetPort),
      [port],
    );
    assert.deepEqual(service.spec!.selector, deployment.spec!.template.metadata!.labels);
  });

  test('probe paths are the routes HealthController serves', () => {
    const base = `/${Reflect.getMetadata(PATH_METADATA, HealthController) as string}`;
    const proto = HealthController.prototype as unknown as Record<string, object>;
    const routes = ['liveness', 'ready'].map((m) => {
      const sub = Reflect.getMetadata(PATH_METADATA, proto[m]!) as string;
      return sub === '/' ? base : `${base}/${sub}`;
    });
    assert.equal(container.livenessProbe!.httpGet!.path, routes[0]);
    assert.equal(container.readinessProbe!.httpGet!.path, routes[1]);
  });

  test('pods run non-root on a read-only root filesystem with writable logs and /tmp', () => {
    const pod = deployment.spec!.template.spec!;
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.ok((pod.securityContext?.runAsUser ?? 0) > 0);
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
    const emptyDirs = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
    const writable = (container.volumeMounts ?? []).filter((m) => emptyDirs.has(m.name)).map((m) => m.mountPath);
    const logDir = loadConfig(podEnvironment({ JWT_SECRET: 'x'.repeat(48) }), { dotenvPath: null }).logging.dir;
    assert.ok(
      writable.some((p) => logDir === p || logDir.startsWith(`${p}/`)),
      `LOG_DIR ${logDir} not writable`,
    );
    assert.ok(writable.includes('/tmp'));
    assert.ok(container.resources?.requests && container.resources.limits);
  });

  test('rolling updates keep capacity and the grace period covers the drain', () => {
    const strategy = deployment.spec!.strategy!;
    assert.equal(strategy.type, 'RollingUpdate');
    assert.equal(strategy.rollingUpdate!.maxUnavailable, 0);
    const shutdownMs = loadConfig(podEnvironment({ JWT_SECRET: 'x'.repeat(48) }), {
      dotenvPath: null,
    }).shutdownTimeoutMs;
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    const preStopMs = preStop[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
    const grace = deployment.spec!.template.spec!.terminationGracePeriodSeconds! * 1000;
    assert.ok(
      grace >= preStopMs + shutdownMs + EXIT_MARGIN_MS,
      `grace ${grace} ms < ${preStopMs} + ${shutdownMs} + ${EXIT_MARGIN_MS}`,
    );
  });

  test('HPA scales the Deployment 3..10 on CPU 70 % and memory 80 %', () => {
    const hpa = one<HorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    assert.equal(hpa.spec!.scaleTargetRef.name, deployment.metadata!.name);
    assert.equal(hpa.spec!.scaleTargetRef.kind, 'Deployment');
    assert.equal(hpa.spec!.minReplicas, 3);
    assert.equal(hpa.spec!.maxReplicas, 10);
    const targets = Object.fromEntries(
      hpa.spec!.metrics!.map((m) => [m.resource!.name, m.resource!.target.averageUtilization]),
    );
    assert.deepEqual(targets, { cpu: 70, memory: 80 });
  });

  test('PodDisruptionBudget selects the Clarity pods and leaves room for eviction', () => {
    const pdb = one<PodDisruptionBudget>('PodDisruptionBudget');
    assert.deepEqual(pdb.spec!.selector!.matchLabels, deployment.spec!.selector.matchLabels);
    const min = pdb.spec!.minAvailable;
    assert.ok(typeof min === 'number' && min < (deployment.spec!.replicas ?? 1), 'PDB would block every eviction');
  });
});
