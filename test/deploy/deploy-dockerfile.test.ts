import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { loadConfig } from '../../src/config/load-config.js';
import { filesMatching, inBuildContext, readRepoFile } from '../support/deploy-files.js';

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The build stages of a Dockerfile, each with the instructions after its FROM. */
function stagesOf(text: string): Stage[] {
  const dockerfile = DockerfileParser.parse(text);
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const as = args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ image: args[0]!, name: as >= 0 ? args[as + 1] : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const args = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue());
const ofKind = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.getKeyword() === keyword);
const flag = (i: Instruction, name: string): string | undefined =>
  (i as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> })
    .getFlags?.()
    .find((f) => f.getName() === name)
    ?.getValue() ?? undefined;

/** COPY sources that come from the build context (not --from another stage). */
function contextSources(stages: Stage[]): string[] {
  const sources: string[] = [];
  for (const stage of stages) {
    for (const copy of [...ofKind(stage, 'COPY'), ...ofKind(stage, 'ADD')]) {
      if (flag(copy, 'from') !== undefined) continue;
      sources.push(...args(copy).slice(0, -1));
    }
  }
  return sources;
}

function assertCopiesExist(stages: Stage[]): void {
  const dockerignore = readRepoFile('.dockerignore');
  for (const source of contextSources(stages)) {
    const files = filesMatching(source);
    assert.ok(files.length > 0, `COPY ${source}: nothing in the repository matches`);
    const kept = files.filter((f) => inBuildContext(f, dockerignore));
    assert.ok(kept.length > 0, `COPY ${source}: .dockerignore removes it from the build context`);
  }
}

function execForm(i: Instruction): string[] {
  return JSON.parse(i.getArgumentsContent() ?? '[]') as string[];
}

describe('Dockerfile (Clarity image)', () => {
  const stages = stagesOf(readRepoFile('Dockerfile'));
  const final = stages.at(-1)!;

  test('is multi-stage on node:20-alpine', () => {
    assert.ok(stages.length >= 2, 'expected a build stage and a runtime stage');
    for (const stage of stages) assert.equal(stage.image, 'node:20-alpine');
  });

  test('the build stage installs dev dependencies and builds', () => {
    const runs = ofKind(stages[0]!, 'RUN').map((i) => i.getArgumentsContent() ?? '');
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r));
    const build = runs.findIndex((r) => /\bnpm run build\b/.test(r));
    assert.ok(ci >= 0 && build > ci, `npm ci then npm run build, got ${JSON.stringify(runs)}`);
  });

  test('the final stage has production dependencies only and the build output', () => {
    const runs = ofKind(final, 'RUN').map((i) => i.getArgumentsContent() ?? '');
    assert.ok(
      runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)),
      'final stage must run npm ci --omit=dev',
    );
    const fromBuild = ofKind(final, 'COPY').filter((c) => flag(c, 'from') === stages[0]!.name);
    assert.ok(
      fromBuild.some((c) => args(c)[0] === '/app/dist'),
      'final stage copies dist from the build stage',
    );
    assert.ok(
      !ofKind(final, 'COPY').some((c) => args(c).some((a) => /node_modules/.test(a))),
      'final stage must not copy node_modules (dev dependencies) from elsewhere',
    );
  });

  test('runs as a non-root user with NODE_ENV=production', () => {
    const users = ofKind(final, 'USER').map((i) => args(i)[0]);
    assert.ok(users.length > 0, 'no USER in the final stage');
    assert.ok(!['root', '0'].includes(users.at(-1)!.split(':')[0]!), `runs as ${users.at(-1)}`);
    const envs = ofKind(final, 'ENV').flatMap(args);
    assert.ok(envs.includes('NODE_ENV=production'), `ENV NODE_ENV=production missing: ${envs.join(' ')}`);
  });

  test('exposes the configured port and starts dist/src/main.js', () => {
    const defaultPort = loadConfig({}, { dotenvPath: null }).http.port;
    assert.deepEqual(ofKind(final, 'EXPOSE').flatMap(args), [String(defaultPort)]);
    const cmd = ofKind(final, 'CMD').at(-1);
    assert.ok(cmd, 'no CMD');
    assert.deepEqual(execForm(cmd), ['node', 'dist/src/main.js']);
  });

  test('HEALTHCHECK runs the node script that the image contains', () => {
    const hc = ofKind(final, 'HEALTHCHECK').at(-1);
    assert.ok(hc, 'no HEALTHCHECK');
    const parts = args(hc);
    assert.equal(parts[0], 'CMD');
    const command = JSON.parse(parts.slice(1).join(' ')) as string[];
    assert.equal(command[0], 'node');
    const script = command[1]!;
    const copied = ofKind(final, 'COPY').some((c) => args(c).at(-1)!.replace(/^\.\//, '') === script);
    assert.ok(copied, `${script} is not copied into the final stage`);
    assert.ok(flag(hc, 'timeout'), 'HEALTHCHECK needs a --timeout');
  });

  test('the bundled knowledge base is in the image', () => {
    const sources = ofKind(final, 'COPY').flatMap((c) => args(c).slice(0, -1));
    assert.ok(sources.some((s) => s.replace(/\/$/, '') === 'src/archivist-server/knowledge-base'));
  });

  test('LOG_DIR is a folder the non-root user may write', () => {
    const logDir = ofKind(final, 'ENV')
      .flatMap(args)
      .find((a) => a.startsWith('LOG_DIR='))
      ?.slice('LOG_DIR='.length);
    assert.ok(logDir, 'ENV LOG_DIR missing');
    const runs = ofKind(final, 'RUN').map((i) => i.getArgumentsContent() ?? '');
    assert.ok(
      runs.some((r) => r.includes(`mkdir -p ${logDir}`) && /chown node/.test(r)),
      'LOG_DIR not prepared',
    );
  });

  test('every file it COPYs from the context exists and is not dockerignored', () => {
    assertCopiesExist(stages);
  });
});

describe('docker/archivist.Dockerfile (embedded Archivist image)', () => {
  const stages = stagesOf(readRepoFile('docker', 'archivist.Dockerfile'));
  const final = stages.at(-1)!;

  test('node:20-alpine, non-root, port 3000, the Archivist CLI with a journal under /data', () => {
    for (const stage of stages) assert.equal(stage.image, 'node:20-alpine');
    const users = ofKind(final, 'USER').map((i) => args(i)[0]!);
    assert.ok(users.length > 0 && !['root', '0'].includes(users.at(-1)!), 'must run as non-root');
    assert.deepEqual(ofKind(final, 'EXPOSE').flatMap(args), ['3000']);
    const entry = [...ofKind(final, 'ENTRYPOINT'), ...ofKind(final, 'CMD')].flatMap(execForm);
    assert.deepEqual(entry.slice(0, 2), ['node', 'dist/src/archivist-server/cli.js']);
    const option = (name: string) => entry[entry.indexOf(name) + 1];
    assert.equal(option('--port'), '3000');
    assert.equal(option('--host'), '0.0.0.0');
    assert.equal(option('--journal'), '/data/journal.jsonl');
    for (const file of option('--data')!.split(',')) {
      assert.ok(filesMatching(file).length === 1, `--data ${file} does not exist in the repository`);
    }
  });

  test('every file it COPYs from the context exists and is not dockerignored', () => {
    assertCopiesExist(stages);
  });
});

describe('.dockerignore', () => {
  const dockerignore = readRepoFile('.dockerignore');
  test('keeps secrets, local state and build output out of the context', () => {
    for (const path of [
      '.env',
      '.env.prod',
      '.env.local',
      'logs/combined.log',
      '.data/postgres/PG_VERSION',
      'dist/src/main.js',
      'dist-deploy/x.js',
      'node_modules/zod/package.json',
      '.git/HEAD',
      'coverage/lcov.info',
    ]) {
      assert.equal(inBuildContext(path, dockerignore), false, `${path} would be sent to the builder`);
    }
  });
  test('keeps what the images need', () => {
    for (const path of ['.env.example', 'package.json', 'package-lock.json', 'src/main.ts', 'docker/healthcheck.mjs']) {
      assert.equal(inBuildContext(path, dockerignore), true, `${path} is missing from the context`);
    }
  });
});
