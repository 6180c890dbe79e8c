import type { Call } from './job';
import { RetryQueue } from './retry-queue';
import { systemScheduler } from './scheduler';

const call = (): Call => ({ jobs: [], failures: 0, firstFailureAt: 0, epoch: 0, startedAt: 0, timer: undefined });

describe('RetryQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('makes a call ready when its backoff ends, and says so', () => {
    const ready = jest.fn();
    const q = new RetryQueue(systemScheduler, ready);
    const c = call();
    q.later(c, 500);
    expect(q.waiting).toBe(true);
    expect(q.take()).toBeUndefined();
    jest.advanceTimersByTime(499);
    expect(ready).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(ready).toHaveBeenCalledTimes(1);
    expect(q.take()).toBe(c);
    expect(q.waiting).toBe(false);
  });

  it('releases every call still backing off at once, in the order they were put back', () => {
    const ready = jest.fn();
    const q = new RetryQueue(systemScheduler, ready);
    const [a, b, c] = [call(), call(), call()];
    q.later(a, 30_000);
    q.later(b, 10_000);
    q.now(c);
    q.releaseAll();
    expect([q.take(), q.take(), q.take(), q.take()]).toEqual([c, a, b, undefined]);
    jest.advanceTimersByTime(60_000);
    expect(ready).not.toHaveBeenCalled(); // their timers are gone
  });

  it('clears ready and waiting calls and their timers', () => {
    const ready = jest.fn();
    const q = new RetryQueue(systemScheduler, ready);
    q.later(call(), 100);
    q.now(call());
    q.clear();
    jest.advanceTimersByTime(1000);
    expect(q.waiting).toBe(false);
    expect(q.take()).toBeUndefined();
    expect(ready).not.toHaveBeenCalled();
  });
});
