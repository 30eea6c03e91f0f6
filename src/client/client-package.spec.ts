import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClarityClient, ClarityRequestError } from './index.js';

test("the package exports the client as 'clarity/client'", async () => {
  const specifier = 'clarity/client'; // resolved through package.json "exports" (a self-reference)
  const exported = (await import(specifier)) as typeof import('./index.js');
  assert.equal(exported.ClarityClient, ClarityClient);
  assert.equal(exported.ClarityRequestError, ClarityRequestError);
});

test('the client loads nothing of the server at run time (a browser bundler can take it)', () => {
  const dir = import.meta.dirname;
  const modules = readdirSync(dir).filter((f) => f.endsWith('.js') && !f.endsWith('.spec.js'));
  assert.ok(modules.includes('index.js'));
  for (const file of modules) {
    const code = readFileSync(join(dir, file), 'utf8');
    const imports = [
      ...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm),
      ...code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ].map((m) => m[1]!);
    if (file === 'clarity-client.js') assert.ok(imports.includes('socket.io-client'), 'the regexps see imports');
    for (const specifier of imports) {
      assert.ok(specifier === 'socket.io-client' || /^\.\/[\w-]+\.js$/.test(specifier), `${file} imports ${specifier}`);
    }
    assert.doesNotMatch(code, /\bimport\(/, `${file} has a dynamic import`);
  }
});
