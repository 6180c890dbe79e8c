import { ConcurrencyLimit } from './concurrency-limit';

/**
 * A target with endless work against a model API, on a simulated clock: calls start whenever the
 * limit has room; the API answers each after `latency(inFlight)` ms, or pushes back (`rejects`)
 * after 5 ms. Returns the limit after each simulated second, and the calls that were pushed back.
 */
function simulate(
  limit: ConcurrencyLimit,
  seconds: number,
  api: { latency: (inFlight: number, now: number) => number; rejects?: (inFlight: number, now: number) => boolean },
) {
  const due: { at: number; startedAt: number; rejected: boolean }[] = [];
  let now = 0;
  let inFlight = 0;
  let rejected = 0;
  const perSecond: number[] = [];
  const fill = () => {
    while (inFlight < limit.current) {
      inFlight++;
      limit.started(inFlight);
      const push = api.rejects?.(inFlight, now) ?? false;
      due.push({ at: now + (push ? 5 : api.latency(inFlight, now)), startedAt: now, rejected: push });
    }
    due.sort((a, b) => a.at - b.at);
  };
  fill();
  while (now < seconds * 1000) {
    const call = due.shift()!;
    if (Math.floor(call.at / 1000) > Math.floor(now / 1000)) perSecond.push(limit.current);
    now = call.at;
    inFlight--;
    if (call.rejected) rejected++;
    limit.finished({ startedAt: call.startedAt, now, accepted: !call.rejected, backPressure: call.rejected });
    fill();
  }
  return { perSecond, rejected, final: limit.current };
}

describe('ConcurrencyLimit', () => {
  it('is the ceiling, always, when not adaptive', () => {
    const limit = new ConcurrencyLimit({ ceiling: 64, adaptive: false });
    const { perSecond } = simulate(limit, 5, { latency: (n) => 50 + n, rejects: (n) => n > 10 });
    expect(new Set(perSecond)).toEqual(new Set([64]));
  });

  it('grows from 1 to the ceiling within a second while the latency stays flat (slow start)', () => {
    const changes: number[] = [];
    const limit = new ConcurrencyLimit({ ceiling: 256, adaptive: true, onChange: (n) => changes.push(n) });
    const { perSecond } = simulate(limit, 3, { latency: () => 50 });
    expect(changes.slice(0, 4)).toEqual([1, 2, 4, 8]);
    expect(perSecond[0]).toBe(256);
  });

  it('does not grow without calls waiting for it', () => {
    const limit = new ConcurrencyLimit({ ceiling: 256, initial: 4, adaptive: true });
    for (let t = 0; t < 10_000; t += 50) {
      limit.started(1); // one call at a time: the limit of 4 is never reached
      limit.finished({ startedAt: t, now: t + 50, accepted: true, backPressure: false });
    }
    expect(limit.current).toBe(4);
  });

  it('grows to the ceiling within seconds when the latency is flat but noisy', () => {
    let seed = 7;
    const jitter = () => (seed = (seed * 16807) % 2147483647) % 30;
    const limit = new ConcurrencyLimit({ ceiling: 256, adaptive: true });
    const { perSecond } = simulate(limit, 20, { latency: () => 40 + jitter() });
    expect(perSecond[9]).toBe(256);
  });

  it('settles above the level where the latency starts to rise, without letting it grow unbounded', () => {
    // 40 calls at a time take 20 ms each; beyond that, every call adds 1 ms (a queue forms).
    const limit = new ConcurrencyLimit({ ceiling: 512, adaptive: true });
    const { perSecond } = simulate(limit, 60, { latency: (n) => 20 + Math.max(0, n - 40) });
    const settled = perSecond.slice(-30);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...settled)).toBeLessThan(120); // a round trip of less than 4 times the unloaded one
  });

  it('shrinks by a tenth when the API pushes back, once per round trip, never below 1', () => {
    const limit = new ConcurrencyLimit({ ceiling: 100, initial: 100, adaptive: true });
    limit.finished({ startedAt: 0, now: 50, accepted: true, backPressure: false }); // the first sample
    // Ten calls started together are pushed back together: one decrease.
    for (let i = 0; i < 10; i++) limit.finished({ startedAt: 60, now: 70, accepted: false, backPressure: true });
    expect(limit.current).toBe(90);
    const seen: number[] = [];
    for (let t = 100; t < 3000; t += 50) {
      limit.finished({ startedAt: t - 20, now: t, accepted: false, backPressure: true });
      seen.push(limit.current);
    }
    expect(seen.slice(0, 3)).toEqual([81, 72, 64]);
    expect(limit.current).toBe(1);
  });

  it('against an API that takes 30 calls at a time and answers 429 to more, converges and sends few 429s', () => {
    const api = { latency: () => 50, rejects: (n: number) => n > 30 };
    const adaptive = simulate(new ConcurrencyLimit({ ceiling: 256, adaptive: true }), 20, api);
    const fixed = simulate(new ConcurrencyLimit({ ceiling: 64, adaptive: false }), 20, api);
    // A fixed 64 has 34 calls pushed back at every turn; the adaptive limit probes past 30 now and then.
    expect(adaptive.rejected).toBeLessThan(fixed.rejected / 100);
    expect(Math.max(...adaptive.perSecond.slice(5))).toBeLessThanOrEqual(31);
    expect(Math.min(...adaptive.perSecond.slice(5))).toBeGreaterThanOrEqual(20);
  });

  it('comes down when the latency rises with the load, and back up when the API is fast again', () => {
    // From 20 s to 40 s the API queues: 10 calls at a time keep 20 ms, each further call adds 5 ms.
    const slow = (now: number) => now >= 20_000 && now < 40_000;
    const limit = new ConcurrencyLimit({ ceiling: 200, adaptive: true });
    const { perSecond } = simulate(limit, 70, {
      latency: (n, now) => 20 + (slow(now) ? Math.max(0, n - 10) * 5 : 0),
    });
    expect(perSecond[18]).toBe(200);
    expect(Math.max(...perSecond.slice(25, 40))).toBeLessThan(100);
    expect(perSecond[50]).toBe(200);
  });

  it('takes a latency that stays high whatever the limit for the new normal, and grows back', () => {
    const slow = (now: number) => now >= 20_000 && now < 40_000;
    const limit = new ConcurrencyLimit({ ceiling: 200, adaptive: true });
    const { perSecond } = simulate(limit, 40, { latency: (_n, now) => (slow(now) ? 100 : 20) });
    expect(Math.min(...perSecond.slice(20, 25))).toBeLessThan(100);
    expect(perSecond[32]).toBe(200);
  });

  it('refuses a ceiling below 1', () => {
    expect(() => new ConcurrencyLimit({ ceiling: 0, adaptive: true })).toThrow(/at least 1/);
  });
});
