import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractToken } from './extract-token.js';

describe('extractToken', () => {
  test('takes auth.token', () => {
    assert.equal(extractToken({ auth: { token: 'aaa.bbb.ccc' }, headers: {} }), 'aaa.bbb.ccc');
  });
  test('takes a Bearer Authorization header', () => {
    assert.equal(extractToken({ auth: {}, headers: { authorization: 'Bearer aaa.bbb.ccc' } }), 'aaa.bbb.ccc');
  });
  test('the scheme is case-insensitive and surrounding blanks are ignored', () => {
    assert.equal(extractToken({ headers: { authorization: 'bearer aaa.bbb.ccc' } }), 'aaa.bbb.ccc');
    assert.equal(extractToken({ headers: { authorization: 'BEARER   aaa.bbb.ccc ' } }), 'aaa.bbb.ccc');
  });
  test('a header name in another case is found on hand-built objects', () => {
    assert.equal(extractToken({ headers: { Authorization: 'Bearer aaa.bbb.ccc' } }), 'aaa.bbb.ccc');
  });
  test('auth.token wins when both are present', () => {
    assert.equal(
      extractToken({ auth: { token: 'from.auth.token' }, headers: { authorization: 'Bearer from.the.header' } }),
      'from.auth.token',
    );
  });
  test('neither gives undefined', () => {
    assert.equal(extractToken({ auth: {}, headers: {} }), undefined);
    assert.equal(extractToken({}), undefined);
    assert.equal(extractToken(undefined), undefined);
    assert.equal(extractToken(null), undefined);
  });
  test('a non-string or blank auth.token is ignored (falls back to the header)', () => {
    for (const token of [42, { a: 1 }, ['x.y.z'], null, true, '', '   ']) {
      assert.equal(extractToken({ auth: { token }, headers: {} }), undefined, `auth.token ${JSON.stringify(token)}`);
      assert.equal(extractToken({ auth: { token }, headers: { authorization: 'Bearer h.e.t' } }), 'h.e.t');
    }
  });
  test('a non-object auth is ignored', () => {
    assert.equal(extractToken({ auth: 'x.y.z', headers: {} }), undefined);
  });
  test('other schemes, a bare token, a missing token or a non-string header give undefined', () => {
    for (const authorization of [
      'Basic dXNlcjpwYXNz',
      'aaa.bbb.ccc',
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearerx.y.z',
    ]) {
      assert.equal(extractToken({ headers: { authorization } }), undefined, authorization);
    }
    assert.equal(extractToken({ headers: { authorization: ['Bearer a.b.c'] } }), undefined);
    assert.equal(extractToken({ headers: { authorization: 7 } }), undefined);
  });
});
