import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClarityError } from '../common/clarity-error.js';
import { DATABASE_UNAVAILABLE_MESSAGE, guardDatabase, isDatabaseUnavailable } from './database-errors.js';

test('connection failures are told apart from statement errors', () => {
  assert.equal(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), true);
  assert.equal(isDatabaseUnavailable({ message: 'terminating connection', driverError: { code: '57P01' } }), true);
  assert.equal(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect')), true);
  const released = new Error(
    'Database connection provided by a query runner was already released, cannot continue to use its querying methods anymore.',
  );
  released.name = 'QueryRunnerProviderAlreadyReleasedError';
  assert.equal(isDatabaseUnavailable(released), true, 'a transaction whose connection died');
  assert.equal(
    isDatabaseUnavailable(new Error('Query runner already released. Cannot run queries anymore.')),
    true,
    'the next statement of that transaction',
  );
  assert.equal(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' })), false);
});

test('guardDatabase turns an unreachable database into INTERNAL "Database unavailable" and passes the rest', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  await assert.rejects(
    guardDatabase(() => Promise.reject(refused)),
    (error: unknown) =>
      error instanceof ClarityError &&
      error.code === 'INTERNAL' &&
      error.message === DATABASE_UNAVAILABLE_MESSAGE &&
      error.cause === refused,
  );
  const syntax = Object.assign(new Error('syntax error'), { code: '42601' });
  await assert.rejects(
    guardDatabase(() => Promise.reject(syntax)),
    (error: unknown) => error === syntax,
  );
  assert.equal(await guardDatabase(() => Promise.resolve(7)), 7);
});
