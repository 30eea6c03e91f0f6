import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Category } from '../gellish/gellish-uids.js';
import { ancestorsAndSelf, categoryOf } from './entity-category.js';

function parents(edges: Array<[number, number]>): (uid: number) => number[] {
  return (uid) => edges.filter(([child]) => child === uid).map(([, parent]) => parent);
}

describe('categoryOf', () => {
  test('a root is its own category', () => {
    assert.equal(categoryOf([Category.ASPECT], parents([])), 'aspect');
  });
  test('descends at any depth, through any of several supertypes', () => {
    const up = parents([
      [1, 2],
      [2, 3],
      [3, Category.OCCURRENCE],
      [1, 4],
    ]);
    assert.equal(categoryOf([1], up), 'occurrence');
  });
  test('precedence decides between several roots: role before aspect, occurrence before relation', () => {
    const up = parents([
      [Category.ROLE, Category.ASPECT],
      [1, Category.ROLE],
      [2, Category.RELATION],
      [2, Category.OCCURRENCE],
    ]);
    assert.equal(categoryOf([1], up), 'role');
    assert.equal(categoryOf([2], up), 'occurrence');
  });
  test('several start uids (classifiers of an individual) are tested together', () => {
    const up = parents([
      [1, Category.RELATION],
      [2, Category.PHYSICAL_OBJECT],
    ]);
    assert.equal(categoryOf([1, 2], up), 'physical object');
  });
  test('no root reached is anything, and cycles terminate', () => {
    const up = parents([
      [1, 2],
      [2, 1],
    ]);
    assert.equal(categoryOf([1], up), 'anything');
    assert.deepEqual([...ancestorsAndSelf([1], up)].sort(), [1, 2]);
  });
});
