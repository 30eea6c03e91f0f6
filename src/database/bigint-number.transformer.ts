import type { ValueTransformer } from 'typeorm';

/**
 * A PostgreSQL bigint read as a JS number. pg returns bigint as a string, exact
 * for every value; Clarity's bigints (uids, log ids) are safe integers, and one
 * that is not is an error rather than a silently rounded number.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null): number | null => {
    if (value === null || typeof value === 'number') return value;
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`bigint ${value} is not a safe integer`);
    return n;
  },
};
