import type { DlqReason } from '@app/contracts/dlq';
import type { DlqEntry } from './dlq-entry';

/**
 * Reasons a replay cannot fix on its own: the same bytes with the same configuration fail the same
 * way. They can pass after a change of routing (routes, BRIDGE_TARGETS) or of the record contract.
 */
export const UNFIXABLE_REASONS: readonly DlqReason[] = ['unroutable', 'malformed', 'invalid'];

export type Refusal = 'no-source' | 'loop-guard' | 'unfixable';

export interface ReplayRules {
  maxReplays: number;
  /** Replays unfixable reasons too. */
  force: boolean;
}

/** Why a dead letter must not be replayed, or undefined when it may be. */
export function refusal(entry: DlqEntry, rules: ReplayRules): { refusal: Refusal; why: string } | undefined {
  if (!entry.source.topic) {
    return { refusal: 'no-source', why: 'has no x-dlq-source-topic header; not replayed' };
  }
  if (entry.replayCount >= rules.maxReplays) {
    return {
      refusal: 'loop-guard',
      why: `already replayed ${entry.replayCount} times (--max-replays ${rules.maxReplays}); refused`,
    };
  }
  if (!rules.force && (UNFIXABLE_REASONS as readonly string[]).includes(entry.reason ?? '')) {
    return {
      refusal: 'unfixable',
      why: `${entry.reason}: the same record would fail the same way; refused (--force replays it)`,
    };
  }
  return undefined;
}
