import { DLQ_REASONS } from '@app/contracts/dlq';
import { TARGETS } from '@app/contracts/targets';
import { instant, integer, oneOf, UsageError } from '../args';
import type { DlqEntry } from './dlq-entry';

/** Flags shared by `dlq list` and `dlq replay`; reason, target and source topic may repeat. */
export const FILTER_FLAGS = {
  reason: { type: 'string', multiple: true },
  target: { type: 'string', multiple: true },
  'source-topic': { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
} as const;

export const FILTER_USAGE = '[--reason R] [--target T] [--source-topic S] [--since TIME] [--until TIME] [--limit N]';

export const FILTER_HELP = `Filters (all given must match; --reason, --target and --source-topic may repeat or hold a
comma-separated list, any of which matches):
  --reason R         ${DLQ_REASONS.join(', ')}
  --target T         ${TARGETS.join(', ')} (unroutable records have none)
  --source-topic S   the topic the record came from (x-dlq-source-topic)
  --since TIME       last failure (x-dlq-last-failure) at or after TIME
  --until TIME       last failure at or before TIME
                     TIME: ISO 8601 (UTC unless it has an offset), or a duration ago: 30m, 2h, 7d.
                     Records without x-dlq-last-failure never match a time filter.
  --limit N          only the first N matching records, in DLQ order (partition, then offset);
                     reading stops there`;

export interface DlqFilter {
  reasons?: ReadonlySet<string>;
  targets?: ReadonlySet<string>;
  sourceTopics?: ReadonlySet<string>;
  since?: number;
  until?: number;
  limit?: number;
}

interface FilterValues {
  reason?: string[];
  target?: string[];
  'source-topic'?: string[];
  since?: string;
  until?: string;
  limit?: string;
}

function split(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.flatMap((v) => v.split(',').map((s) => s.trim())).filter(Boolean);
}

export function parseFilter(values: FilterValues, now: number): DlqFilter {
  const filter: DlqFilter = {};
  const reasons = split(values.reason);
  if (reasons) filter.reasons = new Set(reasons.map((r) => oneOf('--reason', r, DLQ_REASONS)));
  const targets = split(values.target);
  if (targets) filter.targets = new Set(targets.map((t) => oneOf('--target', t, TARGETS)));
  const topics = split(values['source-topic']);
  if (topics) filter.sourceTopics = new Set(topics);
  if (values.since !== undefined) filter.since = instant('--since', values.since, now);
  if (values.until !== undefined) filter.until = instant('--until', values.until, now);
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
    throw new UsageError('--since is later than --until');
  }
  if (values.limit !== undefined) filter.limit = integer('--limit', values.limit, 1);
  return filter;
}

/** Whether an entry passes the filter (the limit is the caller's to count). */
export function matches(filter: DlqFilter, entry: DlqEntry): boolean {
  if (filter.reasons && !(entry.reason && filter.reasons.has(entry.reason))) return false;
  if (filter.targets && !(entry.target && filter.targets.has(entry.target))) return false;
  if (filter.sourceTopics && !(entry.source.topic && filter.sourceTopics.has(entry.source.topic))) return false;
  if (filter.since !== undefined || filter.until !== undefined) {
    const at = entry.lastFailure ? Date.parse(entry.lastFailure) : NaN;
    if (Number.isNaN(at)) return false;
    if (filter.since !== undefined && at < filter.since) return false;
    if (filter.until !== undefined && at > filter.until) return false;
  }
  return true;
}
