import { CallGate } from './call-gate';

function gate(maxInFlight = 3, circuitThreshold = 2) {
  const paused: boolean[] = [];
  const inFlight: number[] = [];
  const g = new CallGate({
    maxInFlight,
    circuitThreshold,
    onPausedChange: (p) => paused.push(p),
    onInFlightChange: (n) => inFlight.push(n),
  });
  return { g, paused, inFlight };
}

describe('CallGate', () => {
  it('has room for maxInFlight calls and reports the count', () => {
    const { g, inFlight } = gate(2);
    expect(g.hasRoom).toBe(true);
    g.started();
    g.started();
    expect(g.hasRoom).toBe(false);
    g.answered('delivered');
    expect(g.hasRoom).toBe(true);
    expect(inFlight).toEqual([1, 2, 1]);
  });

  it('opens after circuitThreshold transient failures in a row; then one call at a time, the probe', () => {
    const { g, paused } = gate(3, 2);
    g.started();
    g.started();
    g.answered('retryable');
    expect(g.paused).toBe(false);
    g.answered('retryable');
    expect(paused).toEqual([true]);
    expect(g.hasRoom).toBe(true); // no call under way: one may go
    expect(g.mayStartNew(true)).toBe(false); // a failed call waits: it is the probe
    expect(g.mayStartNew(false)).toBe(true);
    g.started();
    expect(g.hasRoom).toBe(false);
    expect(g.answered('delivered')).toBe(true); // closed by this answer
    expect(paused).toEqual([true, false]);
    expect(g.hasRoom).toBe(true);
  });

  it('counts only failures in a row: any other answer means the API is up', () => {
    const { g, paused } = gate(3, 2);
    for (const outcome of ['retryable', 'permanent', 'retryable', 'delivered', 'retryable'] as const) {
      g.started();
      g.answered(outcome);
    }
    expect(paused).toEqual([]);
  });

  it('forgets the calls a drain ended', () => {
    const { g } = gate(1);
    g.started();
    g.forgetCalls();
    expect(g.inFlight).toBe(0);
    expect(g.hasRoom).toBe(true);
  });
});
