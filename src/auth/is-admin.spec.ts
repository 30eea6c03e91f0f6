import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAdmin } from './is-admin.js';

describe('isAdmin', () => {
  test('roles including "admin" or admin: true grant operator rights', () => {
    assert.equal(isAdmin({ sub: 'ops', roles: ['admin'] }), true);
    assert.equal(isAdmin({ sub: 'ops', roles: ['reader', 'admin'] }), true);
    assert.equal(isAdmin({ sub: 'ops', admin: true }), true);
  });
  test('anything else does not', () => {
    assert.equal(isAdmin({ sub: 'alice' }), false);
    assert.equal(isAdmin({ sub: 'alice', roles: ['reader'] }), false);
    assert.equal(isAdmin({ sub: 'alice', roles: 'admin' }), false);
    assert.equal(isAdmin({ sub: 'alice', admin: 'true' }), false);
    assert.equal(isAdmin({ sub: 'alice', admin: 1 }), false);
    assert.equal(isAdmin({ sub: 'alice', roles: ['Admin'] }), false);
    assert.equal(isAdmin(undefined), false);
    assert.equal(isAdmin(null), false);
  });
});
