import type { DlqReason } from '@app/contracts';
import { DeadLetterQueue } from './dead-letter-queue';
import { newJob, type Job } from './job';
import { PartitionFeed } from './partition-feed';
import { rec } from './pipeline.fixtures';
import { RetryPolicy } from './retry-policy';
import { systemScheduler } from './scheduler';
import type { DeadLetter } from './target-sender';

describe('DeadLetterQueue', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  const feed = new PartitionFeed('in', 0);
  const letterJob = (offset: number): Job => {
    const job = newJob(rec(offset, 'k', 'datastream'), feed, offset);
    job.letter = { record: job.record, reason: 'invalid' as DlqReason, error: 'x', attempts: 0 } as DeadLetter;
    return job;
  };

  function queue(refuse: (offset: string) => boolean) {
    const written: string[] = [];
    const writes: string[][] = [];
    const errors: number[] = [];
    const q = new DeadLetterQueue({
      sink: {
        write: async (letters) => {
          const offsets = letters.map((l) => l.record.offset);
          writes.push(offsets);
          if (offsets.some(refuse)) throw new Error('RECORD_TOO_LARGE');
          written.push(...offsets);
        },
      },
      retry: new RetryPolicy({ baseMs: 100, capMs: 1000, random: () => 0.5 }),
      scheduler: systemScheduler,
      maxLetters: 100,
      maxBytes: 1 << 20,
      onWritten: () => undefined,
      onWriteError: (_e, n) => errors.push(n),
      onIdle: () => undefined,
    });
    return { q, written, writes, errors };
  }

  it('writes the letters of a failed write one by one, so one the DLQ cannot take holds no other back', async () => {
    let tooLarge = true;
    const { q, written, writes } = queue((offset) => offset === '1' && tooLarge);
    [0, 1, 2].forEach((o) => q.push(letterJob(o)));
    await jest.advanceTimersByTimeAsync(0);
    expect(writes.slice(0, 4)).toEqual([['0', '1', '2'], ['0'], ['1'], ['2']]);
    expect(written).toEqual(['0', '2']);
    expect(q.stuck).toBe(1);
    expect(q.idle).toBe(false);
    q.push(letterJob(3)); // a later letter is not held back either
    await jest.advanceTimersByTimeAsync(0);
    expect(written).toEqual(['0', '2', '3']);

    await jest.advanceTimersByTimeAsync(1000); // 1 is tried again, with backoff
    expect(writes.filter((w) => w.join() === '1').length).toBeGreaterThan(2);
    tooLarge = false; // the topic's limit was raised
    await jest.advanceTimersByTimeAsync(1000);
    expect(written).toEqual(['0', '2', '3', '1']);
    expect([q.stuck, q.idle]).toEqual([0, true]);
  });

  it('forgets waiting letters and their timers when a drain abandons them', async () => {
    const { q, writes } = queue(() => true);
    q.push(letterJob(0));
    await jest.advanceTimersByTimeAsync(0);
    q.abandon();
    const count = writes.length;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(writes.length).toBe(count);
    expect(q.idle).toBe(true);
  });
});
