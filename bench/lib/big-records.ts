import type { Target } from '@app/contracts';

/**
 * The big-records scenario: among ordinary records, some valid ones just under their target's cap
 * (DATASTREAM, CLOUDINSIGHT, GUANCE _MAX_RECORD_BYTES defaults) and some of 5 MB, over every cap,
 * which the bridge dead-letters without decoding them.
 */
export const BIG_EVERY = 500;
export const HUGE_EVERY = 5_000;
const NEAR_CAP: Record<Target, number> = { datastream: 900_000, cloudinsight: 200_000, guance: 900_000 };
const HUGE = 5 * 1024 * 1024;

export type Size = 'normal' | 'big' | 'huge';

export function sizeOf(id: number): Size {
  if (id % HUGE_EVERY === HUGE_EVERY / 2) return 'huge';
  return id % BIG_EVERY === BIG_EVERY / 2 ? 'big' : 'normal';
}

/** The body padded to its size: in a field each contract allows (a string), ids untouched. */
export function padded(target: Target, body: Record<string, unknown>, size: Size): Record<string, unknown> {
  if (size === 'normal') return body;
  const pad = 'p'.repeat(size === 'huge' ? HUGE : NEAR_CAP[target]);
  switch (target) {
    case 'datastream':
      return { ...body, value: JSON.stringify({ ...(JSON.parse(body.value as string) as object), pad }) };
    case 'cloudinsight':
      return { ...body, data: { ...(body.data as object), pad } };
    case 'guance':
      return { ...body, event: { ...(body.event as object), message: pad } };
  }
}
