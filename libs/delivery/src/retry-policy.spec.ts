import { RetryPolicy } from './retry-policy';

describe('RetryPolicy', () => {
  it('draws full jitter from an exponentially growing window, capped', () => {
    const top = new RetryPolicy({ baseMs: 200, capMs: 30_000, random: () => 0.999999 });
    expect(top.next(0, 0, 0).retryInMs).toBe(199);
    expect(top.next(3, 0, 0).retryInMs).toBe(1599);
    expect(top.next(20, 0, 0).retryInMs).toBe(29_999);
    expect(new RetryPolicy({ random: () => 0 }).next(5, 0, 0).retryInMs).toBe(0);
  });

  it('waits at least Retry-After, even above the cap', () => {
    const policy = new RetryPolicy({ capMs: 1000, random: () => 0.5 });
    expect(policy.next(0, 0, 0, 5000).retryInMs).toBe(5000);
    expect(policy.next(10, 0, 0, 10).retryInMs).toBe(500);
  });

  it('gives up past the deadline and never schedules beyond it', () => {
    const policy = new RetryPolicy({ baseMs: 1000, capMs: 60_000, deadlineMs: 10_000, random: () => 0.9 });
    expect(policy.next(5, 1000, 9000).retryInMs).toBe(2000); // cut to the deadline: one last try
    expect(policy.next(0, 1000, 11_000)).toEqual({ giveUp: true });
    expect(policy.next(0, 1000, 9000, 5000)).toEqual({ giveUp: true }); // Retry-After past the deadline
    expect(policy.next(0, 1000, 5000, 1000).retryInMs).toBe(1000);
  });

  it('retries forever with deadline 0', () => {
    expect(new RetryPolicy({ deadlineMs: 0, random: () => 0 }).next(100, 0, 1e12).retryInMs).toBe(0);
  });
});
