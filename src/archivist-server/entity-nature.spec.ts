import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ANYTHING, RelationType } from '../gellish/gellish-uids.js';
import { natureOf, type NatureCones } from './entity-nature.js';

const MY_CLASSIFICATION = 900200;
const cones: NatureCones = {
  qualification: new Set([RelationType.QUALIFICATION]),
  specialization: new Set([RelationType.SPECIALIZATION, RelationType.QUALIFICATION]),
  classification: new Set([RelationType.CLASSIFICATION, MY_CLASSIFICATION]),
};
/** The relation type of one of the entity's facts. */
const rel = (relTypeUid: number): number => relTypeUid;

describe('natureOf', () => {
  test('qualification before kind before individual', () => {
    const all = [rel(RelationType.CLASSIFICATION), rel(RelationType.SPECIALIZATION), rel(RelationType.QUALIFICATION)];
    assert.equal(natureOf(1, all, [], cones), 'qualification');
    assert.equal(natureOf(1, all.slice(0, 2), [], cones), 'kind');
    assert.equal(natureOf(1, [rel(MY_CLASSIFICATION), rel(RelationType.SYNONYM)], [], cones), 'individual');
  });
  test('the root is anything', () => {
    assert.equal(natureOf(ANYTHING, [rel(RelationType.SPECIALIZATION)], [], cones), 'anything');
  });
  test('without definitive facts: kind when it has subtypes or instances, else anything', () => {
    assert.equal(natureOf(1, [rel(RelationType.SYNONYM)], [rel(RelationType.SPECIALIZATION)], cones), 'kind');
    assert.equal(natureOf(1, [], [rel(RelationType.CLASSIFICATION)], cones), 'kind');
    assert.equal(natureOf(1, [rel(RelationType.SYNONYM)], [rel(RelationType.INVERSE)], cones), 'anything');
  });
});
