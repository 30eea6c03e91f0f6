import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClarityError } from '../common/clarity-error.js';
import { parseParams } from '../common/request-params.js';
import {
  workflowBranchSchema,
  workflowListSchema,
  workflowSessionSchema,
  workflowSetSchema,
  workflowStartSchema,
} from './workflow.schemas.js';

const A_UUID = '0B6D3C8E-8D7F-4C1E-9A4B-2F1E0D9C8B7A';

function badRequest(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof ClarityError);
    assert.equal(error.code, 'BAD_REQUEST');
    return error.message;
  }
  assert.fail('expected BAD_REQUEST');
}

test('workflow requests: sessionId is a UUID (answered in lower case), the other parameters named when wrong', () => {
  assert.deepEqual(parseParams(workflowListSchema, {}), {});
  assert.deepEqual(parseParams(workflowSessionSchema, { sessionId: A_UUID }), { sessionId: A_UUID.toLowerCase() });
  assert.equal(
    badRequest(() => parseParams(workflowSessionSchema, {})),
    "Required parameter 'sessionId' not provided",
  );
  assert.match(
    badRequest(() => parseParams(workflowSessionSchema, { sessionId: 'abc' })),
    /'sessionId' must be a UUID/,
  );
  assert.equal(
    badRequest(() => parseParams(workflowStartSchema, { sessionId: A_UUID })),
    "Required parameter 'workflowId' not provided",
  );
  assert.match(
    badRequest(() => parseParams(workflowStartSchema, { sessionId: A_UUID, workflowId: '' })),
    /Parameter 'workflowId' must be 1\.\.100 characters long/,
  );
  assert.match(
    badRequest(() => parseParams(workflowBranchSchema, { sessionId: A_UUID, workflowId: 'w', field: 42 })),
    /Parameter 'field' must be a string/,
  );
});

test('workflow/set: uid as number or digits, name storable text, draft alone', () => {
  assert.deepEqual(parseParams(workflowSetSchema, { sessionId: A_UUID, field: 'Function', uid: '193424' }), {
    sessionId: A_UUID.toLowerCase(),
    field: 'Function',
    uid: 193424,
  });
  assert.equal(parseParams(workflowSetSchema, { sessionId: A_UUID, field: 'f', name: null }).name, undefined);
  assert.match(
    badRequest(() => parseParams(workflowSetSchema, { sessionId: A_UUID, field: 'f', uid: 0 })),
    /Parameter 'uid' must be a positive integer/,
  );
  assert.match(
    badRequest(() => parseParams(workflowSetSchema, { sessionId: A_UUID, field: 'f', name: 'a\u0000' })),
    /Parameter 'name' contains characters that cannot be stored/,
  );
  assert.match(
    badRequest(() => parseParams(workflowSetSchema, { sessionId: A_UUID, field: 'f', draft: true, name: 'x' })),
    /Parameter 'draft' cannot be combined with 'uid' or 'name'/,
  );
  assert.equal(parseParams(workflowSetSchema, { sessionId: A_UUID, field: 'definition', draft: true }).draft, true);
});
