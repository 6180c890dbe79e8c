import { MemoryBudget } from './memory-budget';
import { systemScheduler } from './scheduler';

describe('MemoryBudget', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const settled = async (p: Promise<void>) => {
    let done = false;
    void p.then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    return done;
  };

  it('lets a batch go on at once while the records in hand hold less than the budget', async () => {
    const budget = new MemoryBudget(1000, systemScheduler);
    budget.take(999);
    expect(await settled(budget.room({ heartbeat: jest.fn() }, 100, jest.fn()))).toBe(true);
  });

  it('holds a batch at the budget until records are done, heartbeating meanwhile', async () => {
    const budget = new MemoryBudget(1000, systemScheduler);
    const heartbeat = jest.fn(() => Promise.resolve());
    budget.take(1200);
    const waiting = budget.room({ heartbeat }, 100, jest.fn());
    await jest.advanceTimersByTimeAsync(350);
    expect(heartbeat).toHaveBeenCalledTimes(3);
    budget.release(100); // 1,100 held: still over
    expect(await settled(waiting)).toBe(false);
    budget.release(200); // 900 held
    expect(await settled(waiting)).toBe(true);
    expect(budget.bytes).toBe(900);
    await jest.advanceTimersByTimeAsync(1000);
    expect(heartbeat).toHaveBeenCalledTimes(3); // no heartbeat once it went on
  });

  it('fails the waiting batch when a heartbeat fails for another reason than a rebalance', async () => {
    const budget = new MemoryBudget(10, systemScheduler);
    budget.take(10);
    const onError = jest.fn();
    const waiting = budget.room({ heartbeat: () => Promise.reject(new Error('broker gone')) }, 100, onError);
    const failed = expect(waiting).rejects.toThrow('broker gone');
    await jest.advanceTimersByTimeAsync(100);
    await failed;
    expect(onError).toHaveBeenCalledWith(expect.any(Error), false);
  });
});
