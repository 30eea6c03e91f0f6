import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../logging/logging.module.js';
import { ClarityError } from '../common/clarity-error.js';
import { ErrorMapper } from './error-mapper.js';

function mapper() {
  const logged: Array<[string, Record<string, unknown>]> = [];
  const logger = { error: (message: string, meta: Record<string, unknown>) => logged.push([message, meta]) };
  return { errors: new ErrorMapper(logger as unknown as Logger), logged };
}

test('a ClarityError answers its own code and message, with the client’s correlation id', () => {
  const { errors, logged } = mapper();
  const envelope = errors.toEnvelope(ClarityError.notFound(42), 'clarity.model/get', 'log-id', 'req-1');
  assert.equal(envelope.success, false);
  assert.deepEqual(
    { code: envelope.success ? undefined : envelope.code, error: envelope.success ? undefined : envelope.error },
    { code: 'NOT_FOUND', error: 'Entity with UID 42 not found' },
  );
  assert.equal(envelope.correlationId, 'req-1');
  assert.equal(logged.length, 0);
});

test('anything else is INTERNAL naming only the correlation id; the stack goes to the log', () => {
  const { errors, logged } = mapper();
  const failure = new TypeError('secret internals at /srv/x.js');
  const envelope = errors.toEnvelope(failure, 'clarity.model/get', 'log-id');
  assert.equal(envelope.success, false);
  if (envelope.success) return;
  assert.equal(envelope.code, 'INTERNAL');
  assert.equal(envelope.error, 'Internal error (correlation id log-id)');
  assert.equal('correlationId' in envelope, false);
  assert.equal(logged.length, 1);
  assert.match(logged[0]![0], /Unexpected failure in clarity\.model\/get: secret internals/);
  assert.equal(logged[0]![1].correlationId, 'log-id');
  assert.equal(logged[0]![1].stack, failure.stack);
  const thrownString = errors.toEnvelope('boom', 'op', 'id-2');
  assert.equal(thrownString.success ? undefined : thrownString.code, 'INTERNAL');
});
