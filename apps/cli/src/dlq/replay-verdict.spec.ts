import type { DlqEntry } from './dlq-entry';
import { refusal } from './replay-verdict';

const entry = (over: Partial<DlqEntry>): DlqEntry => ({
  dlq: { topic: 'dlq', partition: 0, offset: '1', timestamp: '0' },
  key: null,
  value: null,
  headers: [],
  source: { topic: 'orders', partition: 0 },
  replayCount: 0,
  ...over,
});

describe('refusal', () => {
  const rules = { maxReplays: 3, force: false };

  it.each(['rejected', 'exhausted', undefined])('lets %s through', (reason) => {
    expect(refusal(entry({ reason }), rules)).toBeUndefined();
  });

  it.each(['unroutable', 'malformed', 'invalid'])('refuses %s unless forced', (reason) => {
    expect(refusal(entry({ reason }), rules)).toEqual({
      refusal: 'unfixable',
      why: `${reason}: the same record would fail the same way; refused (--force replays it)`,
    });
    expect(refusal(entry({ reason }), { ...rules, force: true })).toBeUndefined();
  });

  it('refuses, even forced, a record without a source topic or at the loop guard', () => {
    const force = { ...rules, force: true };
    expect(refusal(entry({ reason: 'invalid', source: {} }), force)?.refusal).toBe('no-source');
    expect(refusal(entry({ reason: 'rejected', replayCount: 3 }), force)).toEqual({
      refusal: 'loop-guard',
      why: 'already replayed 3 times (--max-replays 3); refused',
    });
  });
});
