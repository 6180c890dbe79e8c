import { compareOffsets, OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('commits the contiguous done prefix, whatever the completion order and offset gaps', () => {
    const tracker = new OffsetTracker();
    const seqs = ['5', '6', '9', '10', '20'].map((o) => tracker.register(o));
    expect(tracker.committable()).toBeUndefined();
    tracker.markDone(seqs[1]);
    tracker.markDone(seqs[3]);
    expect(tracker.committable()).toBeUndefined();
    tracker.markDone(seqs[0]);
    expect(tracker.committable()).toBe('7');
    expect(tracker.committable()).toBeUndefined(); // nothing new
    tracker.markDone(seqs[2]);
    expect(tracker.committable()).toBe('11'); // 9 and 10 done: the hole 7..8 holds nothing back
    expect(tracker.firstPending()).toBe('20');
    tracker.markDone(seqs[4]);
    expect(tracker.committable()).toBe('21');
    expect(tracker.position()).toBe('21');
    expect(tracker.pending).toBe(0);
  });

  it('handles offsets beyond 2^53 and refuses offsets that do not increase', () => {
    const tracker = new OffsetTracker();
    tracker.markDone(tracker.register('9007199254740993'));
    expect(tracker.committable()).toBe('9007199254740994');
    expect(() => tracker.register('9007199254740993')).toThrow(/must increase/);
    expect(compareOffsets('10', '9')).toBeGreaterThan(0);
  });

  it('releases memory as the prefix moves, across many records done out of order', () => {
    const tracker = new OffsetTracker();
    const n = 10_000;
    const seqs = Array.from({ length: n }, (_, i) => tracker.register(String(i * 2)));
    for (let i = 0; i < n; i += 2) tracker.markDone(seqs[i + 1]);
    for (let i = 0; i < n; i += 2) tracker.markDone(seqs[i]);
    expect(tracker.committable()).toBe(String((n - 1) * 2 + 1));
    expect(tracker.pending).toBe(0);
  });
});
