import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ENV_VARIABLES } from '../../src/config/config.schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { readEnvFile, readRepoFile, repoPath } from '../support/deploy-files.js';

describe('.env.example', () => {
  const path = repoPath('.env.example');
  const { names, values } = readEnvFile(path);

  test('lists exactly the variables the service reads, each once', () => {
    assert.deepEqual([...names].sort(), [...ENV_VARIABLES].sort());
    assert.equal(new Set(names).size, names.length, 'a variable is listed twice');
  });

  test('every variable has a comment line right above it', () => {
    const lines = readRepoFile('.env.example').split('\n');
    for (const name of names) {
      const i = lines.findIndex((line) => line.startsWith(`${name}=`));
      assert.ok(i > 0 && /^#\s*\S/.test(lines[i - 1]!), `${name} has no comment above it`);
    }
  });

  test('used as it is, it gives exactly the built-in defaults', () => {
    const fromExample = loadConfig(values, { dotenvPath: null });
    const defaults = loadConfig({}, { dotenvPath: null });
    assert.deepEqual(fromExample, defaults);
  });

  test('holds no secret value', () => {
    for (const key of ['JWT_SECRET', 'JWT_PUBLIC_KEY', 'POSTGRES_PASSWORD', 'OPENAI_API_KEY']) {
      assert.equal(values[key], '', `${key} must be empty in the template`);
    }
  });
});
