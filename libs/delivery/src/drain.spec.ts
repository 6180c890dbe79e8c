import { Drain } from './drain';
import { systemScheduler } from './scheduler';

describe('Drain', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  function steps(idle: () => boolean) {
    const log: string[] = [];
    return { log, stop: () => log.push('stop'), isIdle: idle, abandon: () => log.push('abandon') };
  }

  it('waits for idle, then ends the epoch: aborts the signal, abandons, and a new signal serves the next epoch', async () => {
    const drain = new Drain(systemScheduler);
    const signal = drain.signal;
    let idle = false;
    const s = steps(() => idle);
    const done = drain.run(5000, s);
    expect(drain.active).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(s.log).toEqual(['stop']);
    idle = true;
    drain.wentIdle();
    await done;
    expect(s.log).toEqual(['stop', 'abandon']);
    expect(signal.aborted).toBe(true);
    expect(drain.signal.aborted).toBe(false);
    expect(drain.epoch).toBe(1);
    expect(drain.active).toBe(false);
  });

  it('gives up waiting at the timeout', async () => {
    const drain = new Drain(systemScheduler);
    const s = steps(() => false);
    const done = drain.run(5000, s);
    await jest.advanceTimersByTimeAsync(4999);
    expect(s.log).toEqual(['stop']);
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(s.log).toEqual(['stop', 'abandon']);
  });

  it('runs one drain at a time: a second joins the first', async () => {
    const drain = new Drain(systemScheduler);
    const s = steps(() => true);
    await Promise.all([drain.run(1000, s), drain.run(1000, s)]);
    expect(s.log).toEqual(['stop', 'abandon']);
    expect(drain.epoch).toBe(1);
  });
});
