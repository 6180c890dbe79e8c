import { CallGate, type CircuitCause } from './call-gate';
import { ConcurrencyLimit } from './concurrency-limit';
import { systemScheduler } from './scheduler';

function gate(maxInFlight = 3, circuitThreshold = 2) {
  const circuit: (CircuitCause | undefined)[] = [];
  const inFlight: number[] = [];
  const due = jest.fn();
  const g = new CallGate({
    limit: new ConcurrencyLimit({ ceiling: maxInFlight, adaptive: false }),
    circuitThreshold,
    probeBackoff: { baseMs: 1000, capMs: 30_000, random: () => 0.999 },
    scheduler: systemScheduler,
    onCircuitChange: (c) => circuit.push(c && { ...c }),
    onInFlightChange: (n) => inFlight.push(n),
    onProbeDue: due,
  });
  return { g, circuit, inFlight, due };
}

describe('CallGate', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('has room for maxInFlight calls and reports the count', () => {
    const { g, inFlight } = gate(2);
    g.started();
    g.started();
    expect(g.hasRoom).toBe(false);
    g.answered('delivered', { now: Date.now() });
    expect(g.hasRoom).toBe(true);
    expect(inFlight).toEqual([1, 2, 1]);
  });

  it('opens after circuitThreshold transient failures in a row, then lets one probe go at a time, after a backoff', () => {
    const { g, circuit, due } = gate(3, 2);
    g.started();
    g.started();
    g.answered('retryable', { error: 'HTTP 503', now: 1_000_000 });
    expect(g.paused).toBe(false);
    g.answered('retryable', { error: 'HTTP 502', now: 1_000_100 });
    expect(circuit).toEqual([{ refused: false, error: 'HTTP 502', since: 1_000_100 }]);
    expect(g.hasRoom).toBe(false); // the first probe waits out its backoff
    jest.advanceTimersByTime(998); // full jitter of the 1 s window (random 0.999)
    expect(due).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(due).toHaveBeenCalledTimes(1);
    expect(g.hasRoom).toBe(true);
    g.started();
    expect(g.hasRoom).toBe(false);
    g.answered('retryable', { error: 'HTTP 503 again', now: Date.now(), wasRetry: true });
    expect(g.cause!.error).toBe('HTTP 503 again');
    jest.advanceTimersByTime(1997); // the window doubles
    expect(g.hasRoom).toBe(false);
    jest.advanceTimersByTime(1);
    expect(g.hasRoom).toBe(true);
  });

  it('caps the backoff between probes at 30 s however long the outage lasts, and honours Retry-After', () => {
    const { g, due } = gate(1, 1);
    g.started();
    g.answered('retryable', { error: 'down', now: Date.now() });
    for (let i = 0; i < 20; i++) {
      jest.advanceTimersByTime(30_000);
      expect(g.hasRoom).toBe(true);
      g.started();
      g.answered('retryable', { error: 'down', now: Date.now(), wasRetry: true });
    }
    expect(due).toHaveBeenCalledTimes(20);
    jest.advanceTimersByTime(30_000);
    g.started();
    g.answered('retryable', { error: 'slow down', now: Date.now(), wasRetry: true, retryAfterMs: 120_000 });
    jest.advanceTimersByTime(119_999);
    expect(g.hasRoom).toBe(false);
    jest.advanceTimersByTime(1);
    expect(g.hasRoom).toBe(true);
  });

  it('opens at once when the API refuses our credentials, and says so', () => {
    const { g, circuit } = gate(3, 5);
    g.started();
    g.answered('refused', { error: 'HTTP 401: errorCode 200: Authentication Failed', now: 1_000_000 });
    expect(circuit).toEqual([
      { refused: true, error: 'HTTP 401: errorCode 200: Authentication Failed', since: 1_000_000 },
    ]);
  });

  it('closes on any answer that judges a body, and takes probes in turns of failed and new records', () => {
    const { g, circuit } = gate(3, 1);
    g.started();
    g.answered('retryable', { error: 'x', now: Date.now() });
    expect(g.mayStartNew(true)).toBe(false); // a failed call waits: it goes first
    jest.advanceTimersByTime(30_000);
    g.started();
    g.answered('retryable', { error: 'x', now: Date.now(), wasRetry: true }); // the failed call failed again
    expect(g.probeWithNewRecord).toBe(true); // so a record never sent goes next
    expect(g.mayStartNew(true)).toBe(true);
    jest.advanceTimersByTime(30_000);
    g.started();
    g.answered('retryable', { error: 'x', now: Date.now() });
    expect(g.probeWithNewRecord).toBe(false);
    jest.advanceTimersByTime(30_000);
    g.started();
    expect(g.answered('permanent', { error: 'HTTP 400', now: Date.now(), wasRetry: true })).toBe(true);
    expect(circuit[circuit.length - 1]).toBeUndefined();
    expect(g.hasRoom).toBe(true);
  });

  it('does not count failures the caller knows to be about records: one failing record is not an outage', () => {
    const { g, circuit } = gate(3, 2);
    g.started();
    g.answered('retryable', { error: 'HTTP 500', now: Date.now() });
    for (let i = 0; i < 10; i++) {
      g.started();
      g.answered('retryable', { error: 'HTTP 500', now: Date.now(), wasRetry: true, aboutRecords: true });
    }
    expect(circuit).toEqual([]);
    g.started();
    g.answered('retryable', { error: 'HTTP 500', now: Date.now(), wasRetry: true }); // not known to be about records: counts
    expect(g.paused).toBe(true);
  });

  it('lets as many calls go as the adaptive limit allows, fed by every answer but the probes', () => {
    const limit = new ConcurrencyLimit({ ceiling: 16, initial: 4, adaptive: true });
    const g = new CallGate({
      limit,
      circuitThreshold: 2,
      probeBackoff: { baseMs: 1000, capMs: 30_000, random: () => 0.999 },
      scheduler: systemScheduler,
      onCircuitChange: () => undefined,
      onInFlightChange: () => undefined,
      onProbeDue: () => undefined,
    });
    for (let i = 0; i < 4; i++) g.started();
    expect(g.hasRoom).toBe(false);
    g.answered('retryable', { error: 'HTTP 429', now: Date.now(), retryAfterMs: 1000, startedAt: Date.now() - 50 }); // push back: 4 -> 3
    expect(limit.current).toBe(3);
    expect(g.hasRoom).toBe(false); // 3 under way
    g.answered('delivered', { now: Date.now(), startedAt: Date.now() - 50 });
    expect(g.hasRoom).toBe(true);
    // Two more answers of calls started before the decrease: no second decrease; the circuit opens.
    g.answered('retryable', { error: 'HTTP 503', now: Date.now(), startedAt: Date.now() - 50 });
    g.answered('retryable', { error: 'HTTP 503', now: Date.now(), startedAt: Date.now() - 50 });
    expect(limit.current).toBe(3);
    expect(g.paused).toBe(true);
    jest.advanceTimersByTime(30_000);
    g.started();
    g.answered('retryable', { error: 'HTTP 503', now: Date.now() + 10_000, wasRetry: true, startedAt: Date.now() }); // a failed probe
    expect(limit.current).toBe(3);
  });

  it('counts only failures in a row: any other answer means the API is up', () => {
    const { g, circuit } = gate(3, 2);
    for (const outcome of ['retryable', 'permanent', 'retryable', 'delivered', 'retryable'] as const) {
      g.started();
      g.answered(outcome, { now: Date.now() });
    }
    expect(circuit).toEqual([]);
  });
});
