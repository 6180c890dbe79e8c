/** The APIs a record can name in its route header (docs/contract.md). */
export const TARGETS = ['datastream', 'cloudinsight', 'guance'] as const;
export type Target = (typeof TARGETS)[number];

export function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}

/** Default name of the route header; configurable with BRIDGE_ROUTE_HEADER. */
export const DEFAULT_ROUTE_HEADER = 'x-bridge-target';
/** Optional header picking a named Guance monitor from GUANCE_MONITORS. */
export const GUANCE_MONITOR_HEADER = 'x-guance-monitor';
