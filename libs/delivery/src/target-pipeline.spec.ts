import type { SendResult } from '@app/contracts';
import { committable, ctx, FakeSender, FakeSink, pipeline, rec, tick } from './pipeline.fixtures';

const ok: SendResult = { outcome: 'delivered', status: 200 };
const busy: SendResult = { outcome: 'retryable', status: 503, error: 'HTTP 503: busy' };

/** An answer after `ms` of (fake) time. */
const later = (result: SendResult, ms: number) => new Promise<SendResult>((r) => setTimeout(() => r(result), ms));

/**
 * Records 0..7 of partition 0, one key each; the API fails the ones at `failing` offsets (after
 * 1 ms) and delivers the others (after 5 ms). Tells circuit and fetching changes.
 */
function failingAlone(failing: string[]) {
  const sender = new FakeSender();
  sender.respond = (ids) => (failing.includes(ids[0]) ? later(busy, 1) : later(ok, 5));
  const sink = new FakeSink();
  const paused: boolean[] = [];
  const fetching: boolean[] = [];
  const p = pipeline(sender, sink, {
    events: { onCircuitChange: (c) => paused.push(c !== undefined), onFetchChange: (f) => fetching.push(f) },
  });
  void p.processBatch(
    Array.from({ length: 8 }, (_, i) => rec(i, `k${i}`, 'datastream')),
    ctx,
  );
  return { p, sink, paused, fetching };
}

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
}

describe('TargetPipeline', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'], now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('keeps per-key order with many keys, random latencies and concurrency across partitions', async () => {
    const random = seeded(42);
    const sender = new FakeSender();
    sender.respond = () => new Promise((resolve) => setTimeout(() => resolve(ok), Math.floor(random() * 50)));
    const p = pipeline(sender, new FakeSink(), { maxInFlight: 8 });
    const sent: string[][] = [];
    for (let part = 0; part < 3; part++) {
      sent.push([]);
      const batch = Array.from({ length: 300 }, (_, i) =>
        rec(i * 3, `k${Math.floor(random() * 20)}`, 'datastream', {}, part),
      );
      const done = p.processBatch(batch, ctx);
      sent[part] = batch.map((r) => `${part}:${r.offset}:${r.key}`);
      void done;
    }
    await tick(60_000);
    expect(sender.maxInFlight).toBe(8);
    const order = sender.delivered();
    expect(order).toHaveLength(900);
    const byKey = new Map<string, number[]>();
    for (const id of order) {
      const [part, offset] = id.split(':');
      const key = sent[Number(part)].find((s) => s.startsWith(`${id}:`))!.split(':')[2];
      const list = byKey.get(`${part}/${key}`) ?? [];
      list.push(Number(offset));
      byKey.set(`${part}/${key}`, list);
    }
    for (const offsets of byKey.values()) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(p.committableAll().sort((a, b) => a.partition - b.partition)).toEqual([
      { topic: 'in', partition: 0, offset: '898' },
      { topic: 'in', partition: 1, offset: '898' },
      { topic: 'in', partition: 2, offset: '898' },
    ]);
  });

  it('commits only the contiguous done prefix when calls finish out of order, over offset gaps', async () => {
    const sender = new FakeSender();
    sender.respond = undefined;
    const p = pipeline(sender, new FakeSink());
    const done = p.processBatch(
      [rec(10, 'a', 'datastream'), rec(12, 'b', 'datastream'), rec(17, 'c', 'datastream')],
      ctx,
    );
    await tick();
    expect(sender.calls.map((c) => c.ids[0])).toEqual(['0:10', '0:12', '0:17']);
    sender.calls[2].answer(ok);
    sender.calls[1].answer(ok);
    await tick();
    expect(committable(p, 'in', 0)).toBeUndefined();
    sender.calls[0].answer(ok);
    await done;
    expect(committable(p, 'in', 0)).toBe('18');
    expect(committable(p, 'in', 0)).toBeUndefined();
  });

  it('skips the records of a batch fetched again that it has in hand or done (a rejoin fetches from the commit)', async () => {
    const sender = new FakeSender();
    sender.respond = (ids) => (ids[0] === '0:2' ? undefined : ok); // 2 stays in flight
    const p = pipeline(sender, new FakeSink());
    await p.processBatch(
      [0, 1, 2].map((i) => rec(i, `k${i}`, 'datastream')),
      ctx,
    );
    await tick();
    await p.processBatch(
      [0, 1, 2, 3].map((i) => rec(i, `k${i}`, 'datastream')),
      ctx,
    ); // from the last commit
    await tick();
    sender.calls[2].answer(ok);
    await tick();
    expect(sender.delivered()).toEqual(['0:0', '0:1', '0:2', '0:3']); // each once
    expect(committable(p, 'in', 0)).toBe('4');
  });

  it('dead-letters a record that does not parse at once, without blocking its key or partition', async () => {
    const sender = new FakeSender();
    sender.respond = undefined;
    const sink = new FakeSink();
    const p = pipeline(sender, sink);
    void p.processBatch(
      [rec(0, 'a', 'datastream'), rec(1, 'a', 'datastream', '{oops'), rec(2, 'b', 'datastream')],
      ctx,
    );
    await tick();
    expect(sink.letters).toHaveLength(1);
    expect(sink.letters[0]).toMatchObject({
      reason: 'malformed',
      error: 'not JSON',
      target: 'datastream',
      attempts: 0,
    });
    expect(sink.letters[0].record.offset).toBe('1');
    expect(sender.calls.map((c) => c.ids[0])).toEqual(['0:0', '0:2']);
    expect(committable(p, 'in', 0)).toBeUndefined();
    sender.calls[0].answer(ok);
    await tick();
    expect(committable(p, 'in', 0)).toBe('2');
  });

  it('dead-letters unroutable records only in the owning group and skips other targets', async () => {
    const batch = [rec(0, 'a', undefined), rec(1, 'a', 'nowhere'), rec(2, 'a', 'guance'), rec(3, 'a', 'datastream')];
    const owner = { sender: new FakeSender(), sink: new FakeSink() };
    const other = { sender: new FakeSender(), sink: new FakeSink() };
    const p1 = pipeline(owner.sender, owner.sink, { unroutable: true, groupId: 'owner' });
    const p2 = pipeline(other.sender, other.sink, { unroutable: false });
    await Promise.all([p1.processBatch(batch, ctx), p2.processBatch(batch, ctx), tick()]);
    expect(owner.sink.letters.map((l) => [l.reason, l.record.offset, l.target, l.consumerGroup])).toEqual([
      ['unroutable', '0', undefined, 'owner'],
      ['unroutable', '1', undefined, 'owner'],
    ]);
    expect(owner.sink.letters[1].error).toContain('nowhere');
    expect(other.sink.letters).toEqual([]);
    expect(owner.sender.delivered()).toEqual(['0:3']);
    expect(other.sender.delivered()).toEqual(['0:3']);
    expect(committable(p1, 'in', 0)).toBe('4');
    expect(committable(p2, 'in', 0)).toBe('4');
  });

  it('retries a transient failure, then delivers, never sooner than Retry-After', async () => {
    const sender = new FakeSender();
    const answers: SendResult[] = [{ ...busy, retryAfterMs: 5000 }, busy, ok];
    sender.respond = () => answers.shift() ?? ok;
    const retries: SendResult[] = [];
    const p = pipeline(sender, new FakeSink(), { events: { onRetry: (r) => retries.push(r) } });
    const done = p.processBatch([rec(0, 'a', 'datastream'), rec(1, 'a', 'datastream')], ctx);
    await tick(4999);
    expect(sender.calls).toHaveLength(1);
    await tick(1);
    expect(sender.calls).toHaveLength(2);
    expect(sender.calls[1].at - sender.calls[0].at).toBe(5000);
    await tick(100); // second retry: full jitter 0.5 * 200 ms
    await done;
    expect(sender.delivered()).toEqual(['0:0', '0:0', '0:0', '0:1']);
    expect(retries).toHaveLength(2);
    expect(committable(p, 'in', 0)).toBe('2');
  });

  it('dead-letters as exhausted a record that keeps failing while the target delivers others', async () => {
    const sender = new FakeSender();
    sender.respond = (ids) => (ids[0] === '0:0' ? later(busy, 1) : later(ok, 5));
    const sink = new FakeSink();
    const p = pipeline(sender, sink, { circuitThreshold: 1000 });
    const start = Date.now();
    void p.processBatch([rec(0, 'a', 'datastream'), rec(1, 'a', 'datastream'), rec(2, 'b', 'datastream')], ctx);
    await tick(10_010);
    expect(sink.letters).toHaveLength(1);
    const letter = sink.letters[0];
    expect(letter).toMatchObject({ reason: 'exhausted', target: 'datastream', httpStatus: 503, error: busy.error });
    expect(letter.attempts).toBe(sender.calls.filter((c) => c.ids[0] === '0:0').length);
    expect(letter.attempts).toBeGreaterThan(5);
    expect(letter.firstFailure!.getTime()).toBe(start + 1);
    expect(letter.lastFailure!.getTime()).toBeGreaterThanOrEqual(start + 10_001);
    expect(sender.delivered().slice(-1)).toEqual(['0:1']); // the key moves on
    expect(committable(p, 'in', 0)).toBe('3');
  });

  it('does not take one record the API keeps failing for an outage, even once the others are all delivered', async () => {
    const { p, sink, paused, fetching } = failingAlone(['0:3']);
    // The 7 others go at once; record 3 then fails alone, far more often than the 5 that open the circuit.
    await tick(10_010);
    expect(paused).toEqual([]);
    expect(fetching).toEqual([]); // new records keep coming
    expect(sink.letters.map((l) => [l.reason, l.record.offset])).toEqual([['exhausted', '3']]);
    expect(sink.letters[0].attempts).toBeGreaterThan(10);
    expect(committable(p, 'in', 0)).toBe('8');
  });

  it('still takes an outage for one, with a single record in hand and nothing delivered since it failed', async () => {
    const sender = new FakeSender();
    sender.respond = () => busy;
    const paused: boolean[] = [];
    const sink = new FakeSink();
    const p = pipeline(sender, sink, { events: { onCircuitChange: (c) => paused.push(c !== undefined) } });
    void p.processBatch([rec(0, 'k', 'datastream')], ctx);
    await tick(30_000);
    expect(paused).toEqual([true]);
    expect(sink.letters).toEqual([]);
  });

  it('fetches on while its circuit is open if every record in hand failed before, so a new one can probe', async () => {
    const { p, sink, paused, fetching } = failingAlone(['0:2', '0:5']);
    // Two records fail in turns once the others are delivered: for all the pipeline knows, the API
    // is down (the circuit opens), but probing with those two alone could go on forever.
    await tick(12_000);
    expect(paused).toEqual([true]);
    expect(fetching).toEqual([]);
    void p.processBatch([rec(8, 'k8', 'datastream')], ctx); // the next record fetched probes
    await tick(31_000);
    expect(paused).toEqual([true, false]);
    expect(sink.letters.map((l) => [l.reason, l.record.offset]).sort()).toEqual([
      ['exhausted', '2'],
      ['exhausted', '5'],
    ]);
    expect(committable(p, 'in', 0)).toBe('9');
  });

  it('dead-letters nothing in an outage three times longer than the deadline, and delivers all once the API is back', async () => {
    const sender = new FakeSender();
    sender.respond = () => busy;
    const sink = new FakeSink();
    const paused: boolean[] = [];
    const p = pipeline(sender, sink, { events: { onCircuitChange: (c) => paused.push(c !== undefined) } });
    void p.processBatch(
      Array.from({ length: 20 }, (_, i) => rec(i, `k${i % 5}`, 'datastream')),
      ctx,
    );
    await tick(30_000); // the deadline is 10 s
    expect(paused).toEqual([true]);
    expect(sink.letters).toEqual([]);
    const callsInOutage = sender.calls.length;
    sender.respond = () => ok;
    await tick(31_000); // the next probe comes within the 30 s cap
    expect(paused).toEqual([true, false]);
    expect(new Set(sender.delivered().slice(callsInOutage)).size).toBe(20);
    expect(sink.letters).toEqual([]);
    expect(committable(p, 'in', 0)).toBe('20');
  });

  it('pauses at once when the API refuses our credentials, dead-letters nothing, resumes when they are accepted', async () => {
    const sender = new FakeSender();
    const refused: SendResult = {
      outcome: 'refused',
      status: 401,
      error: 'HTTP 401: errorCode 200: Authentication Failed',
    };
    sender.respond = () => refused;
    const sink = new FakeSink();
    const circuit: unknown[] = [];
    const p = pipeline(sender, sink, {
      maxInFlight: 8,
      events: { onCircuitChange: (c) => circuit.push(c && { ...c }) },
    });
    void p.processBatch(
      Array.from({ length: 30 }, (_, i) => rec(i, `k${i}`, 'datastream')),
      ctx,
    );
    await tick();
    expect(circuit).toEqual([{ refused: true, error: refused.error, since: Date.now() }]);
    expect(p.circuit).toMatchObject({ refused: true });
    await tick(60_000);
    expect(sink.letters).toEqual([]);
    sender.respond = () => ok;
    await tick(31_000);
    expect(circuit[circuit.length - 1]).toBeUndefined();
    expect(new Set(sender.delivered()).size).toBe(30);
    expect(committable(p, 'in', 0)).toBe('30');
  });

  it('lets new records probe in turns, so one record the API keeps failing cannot hold the target paused', async () => {
    const sender = new FakeSender();
    let apiDown = true;
    sender.respond = (ids) => (apiDown || ids[0] === '0:0' ? busy : ok);
    const sink = new FakeSink();
    const p = pipeline(sender, sink, { circuitThreshold: 3, maxInFlight: 4 });
    void p.processBatch(
      Array.from({ length: 12 }, (_, i) => rec(i, i === 0 ? 'poison' : `k${i}`, 'datastream')),
      ctx,
    );
    await tick(60_000);
    expect(p.paused).toBe(true);
    apiDown = false; // back, except for record 0, which the API keeps failing
    const backAt = Date.now();
    await tick(31_000);
    expect(p.paused).toBe(false); // a record that never failed closed it, though 0 went first
    await tick(10_000); // the 10 s deadline counts while the target delivers others
    expect(sink.letters.map((l) => [l.reason, l.record.offset])).toEqual([['exhausted', '0']]);
    expect(sink.letters[0].lastFailure!.getTime()).toBeGreaterThan(backAt);
    expect(committable(p, 'in', 0)).toBe('12');
  });

  it('dead-letters a permanent failure at once as rejected', async () => {
    const sender = new FakeSender();
    sender.respond = (ids) => (ids[0] === '0:0' ? { outcome: 'permanent', status: 400, error: 'HTTP 400: bad' } : ok);
    const sink = new FakeSink();
    const p = pipeline(sender, sink);
    await Promise.all([p.processBatch([rec(0, 'a', 'datastream'), rec(1, 'a', 'datastream')], ctx), tick()]);
    expect(sink.letters.map((l) => [l.reason, l.httpStatus, l.error, l.attempts])).toEqual([
      ['rejected', 400, 'HTTP 400: bad', 1],
    ]);
    expect(sender.delivered()).toEqual(['0:0', '0:1']);
    expect(committable(p, 'in', 0)).toBe('2');
  });

  it('opens the circuit after repeated failures, probes one call at a time with a capped backoff, closes on success', async () => {
    const sender = new FakeSender();
    sender.respond = () => busy;
    const paused: boolean[] = [];
    const fetching: boolean[] = [];
    const sink = new FakeSink();
    const p = pipeline(sender, sink, {
      maxInFlight: 10,
      circuitThreshold: 5,
      retry: { baseMs: 100, capMs: 1000, deadlineMs: 0, random: () => 0.5 },
      events: { onCircuitChange: (c) => paused.push(c !== undefined), onFetchChange: (f) => fetching.push(f) },
    });
    void p.processBatch(
      Array.from({ length: 30 }, (_, i) => rec(i, `k${i}`, 'datastream')),
      ctx,
    );
    await tick();
    expect(paused).toEqual([true]);
    expect(fetching).toEqual([false]); // records in hand to probe with: fetch no more
    const opened = Date.now();
    const before = sender.calls.length;
    for (let i = 0; i < 300; i++) {
      await tick(1000);
      expect(sender.inFlight).toBeLessThanOrEqual(1);
    }
    // 300 s open: the wait between probes grows (full jitter of a window doubling from 0.5 s),
    // capped at 30 s: about 25 probes, not a call per second
    const probes = sender.calls.slice(before);
    const gaps = probes.slice(1).map((c, i) => c.at - probes[i].at);
    expect(probes.length).toBeGreaterThan(10);
    expect(probes.length).toBeLessThan(30);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
    expect(Math.min(...gaps.slice(-5))).toBeGreaterThanOrEqual(10_000);
    expect(probes[0].at - opened).toBeLessThan(1000);
    sender.respond = () => ok;
    await tick(31_000);
    expect(paused).toEqual([true, false]);
    expect(fetching).toEqual([false, true]);
    expect(sink.letters).toEqual([]); // an outage dead-letters nothing
    expect(committable(p, 'in', 0)).toBe('30');
  });

  it('retries the calls still backing off as soon as the circuit closes, not when their timers fire', async () => {
    const sender = new FakeSender();
    sender.respond = () => busy;
    const p = pipeline(sender, new FakeSink(), {
      maxInFlight: 10,
      circuitThreshold: 3,
      // full jitter from a seeded generator, so the calls' timers spread as they do for real
      retry: { baseMs: 1000, capMs: 30_000, deadlineMs: 0, random: seeded(7) },
    });
    const done = p.processBatch(
      Array.from({ length: 10 }, (_, i) => rec(i, `k${i}`, 'datastream')),
      ctx,
    );
    await tick(120_000); // a long outage: the failed calls' backoffs spread out up to the 30 s cap
    expect(p.paused).toBe(true);
    const recoveredAt = Date.now();
    sender.respond = () => ok;
    await tick(31_000);
    await done;
    const after = sender.calls.filter((c) => c.at >= recoveredAt);
    expect(new Set(after.flatMap((c) => c.ids)).size).toBe(10);
    // once one call succeeds the others follow at once, not when their (up to 30 s) timers fire
    expect(after[after.length - 1].at - after[0].at).toBeLessThan(1000);
    expect(p.paused).toBe(false);
    expect(committable(p, 'in', 0)).toBe('10');
  });

  it('retries a failed DLQ write, says so, and keeps the record uncommittable until it succeeds', async () => {
    const sender = new FakeSender();
    const sink = new FakeSink();
    sink.failNext = 3;
    const errors: number[] = [];
    const p = pipeline(sender, sink, {
      deadLetterRetry: { baseMs: 100, capMs: 1000, random: () => 0.5 },
      events: { onDeadLetterWriteError: (_e, n) => errors.push(n) },
    });
    void p.processBatch([rec(0, 'a', 'datastream', 'bad'), rec(1, 'b', 'datastream')], ctx);
    await tick(100);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(committable(p, 'in', 0)).toBeUndefined();
    expect(p.deadLetterFailure).toMatchObject({ failures: errors.length, error: 'DLQ unavailable' });
    expect(p.stalls(Date.now())).toEqual([]); // measured from now on
    await tick(50);
    expect(p.stalls(Date.now())[0]).toMatchObject({ offset: '0', cause: 'dead-letter write failing: DLQ unavailable' });
    await tick(1000);
    expect(sink.writes).toBe(4);
    expect(sink.letters).toHaveLength(1);
    expect(p.deadLetterFailure).toBeUndefined();
    expect(committable(p, 'in', 0)).toBe('2');
  });

  it('reports a partition whose commit position does not move, with the offset it waits on and why', async () => {
    const sender = new FakeSender();
    sender.respond = (ids) => (ids[0] === '0:1' ? undefined : ok); // 0:1 hangs
    const p = pipeline(sender, new FakeSink());
    void p.processBatch([rec(0, 'a', 'datastream'), rec(1, 'b', 'datastream'), rec(2, 'c', 'datastream')], ctx);
    await tick();
    expect(p.stalls(Date.now(), 0)).toEqual([]); // the first look starts the clock
    await tick(5000);
    expect(p.stalls(Date.now(), 10_000)).toEqual([]);
    expect(p.stalls(Date.now(), 5000)).toEqual([
      { topic: 'in', partition: 0, offset: '1', stalledMs: 5000, cause: 'waiting for the API to answer' },
    ]);
    sender.respond = () => ok;
    sender.calls[1].answer(busy);
    await tick(1);
    expect(p.stalls(Date.now())[0].cause).toBe('retrying (attempt 1): HTTP 503: busy');
    await tick(1000);
    expect(p.stalls(Date.now())).toEqual([]);
    expect(committable(p, 'in', 0)).toBe('3');
  });

  it('waits for room when the records in hand hold maxBufferedBytes, and goes on as they are delivered', async () => {
    const sender = new FakeSender();
    sender.respond = undefined;
    const p = pipeline(sender, new FakeSink(), { maxBufferedBytes: 3000, maxInFlight: 10 });
    let taken = false;
    await p.processBatch([rec(0, 'a', 'datastream'), rec(1, 'b', 'datastream')], ctx); // room left: at once
    void p.processBatch([rec(2, 'c', 'datastream'), rec(3, 'd', 'datastream')], ctx).then(() => (taken = true));
    await tick();
    expect(p.bufferedBytes).toBeGreaterThanOrEqual(3000);
    expect(taken).toBe(false);
    sender.calls[0].answer(ok);
    sender.calls[1].answer(ok);
    await tick();
    expect(taken).toBe(true);
    expect(sender.calls).toHaveLength(4); // the records of the waiting batch were sent meanwhile
  });

  it('calls heartbeat while a batch waits for room, swallowing rebalance errors and rejecting on others', async () => {
    const sender = new FakeSender();
    sender.respond = undefined;
    const p = pipeline(sender, new FakeSink(), { heartbeatIntervalMs: 1000, maxBufferedBytes: 1 });
    let beats = 0;
    const heartbeatErrors: boolean[] = [];
    const failures = [Object.assign(new Error('rebalance'), { type: 'REBALANCE_IN_PROGRESS' })];
    const done = p.processBatch([rec(0, 'a', 'datastream')], {
      heartbeat: async () => {
        beats++;
        const failure = failures.shift();
        if (failure) throw failure;
      },
    });
    await tick(10_500);
    expect(beats).toBe(10);
    sender.calls[0].answer(ok);
    await done;
    await tick(5000);
    expect(beats).toBe(10);

    const p2 = pipeline(sender, new FakeSink(), {
      maxBufferedBytes: 1,
      events: { onHeartbeatError: (_e, r) => heartbeatErrors.push(r) },
    });
    const failing = p2.processBatch([rec(0, 'a', 'datastream')], {
      heartbeat: () => Promise.reject(new Error('broker gone')),
    });
    const outcome = failing.catch((e: Error) => e.message);
    await tick(1000);
    expect(await outcome).toBe('broker gone');
    expect(heartbeatErrors).toEqual([false]);
  });

  it('drains: lets calls under way finish, aborts the rest at the timeout, commits only what is done', async () => {
    const sender = new FakeSender();
    sender.respond = undefined;
    const p = pipeline(sender, new FakeSink(), { maxInFlight: 2 });
    const done = p.processBatch(
      [0, 1, 2, 3].map((i) => rec(i, `k${i}`, 'datastream')),
      ctx,
    );
    await tick();
    expect(sender.calls).toHaveLength(2);
    const drained = p.drain(5000);
    sender.calls[0].answer(ok);
    await tick(4999);
    expect(sender.calls).toHaveLength(2); // nothing new started
    expect(sender.calls[1].signal!.aborted).toBe(false);
    await tick(1);
    await drained;
    await done;
    expect(sender.calls[1].signal!.aborted).toBe(true);
    expect(committable(p, 'in', 0)).toBe('1');
    // Fed again from the commit position (as kafkajs does after a rejoin), it starts afresh.
    sender.respond = () => ok;
    await expect(p.processBatch([rec(3, 'k3', 'datastream')], ctx)).rejects.toThrow(/from 1 or earlier/);
    await Promise.all([
      p.processBatch(
        [1, 2, 3].map((i) => rec(i, `k${i}`, 'datastream')),
        ctx,
      ),
      tick(),
    ]);
    expect(committable(p, 'in', 0)).toBe('4');
  });

  it('drains by filling the holes behind records already delivered, so what was delivered is committed once', async () => {
    const sender = new FakeSender();
    sender.respond = undefined;
    const p = pipeline(sender, new FakeSink(), { maxInFlight: 2 });
    // keys a, b: the lanes interleave, so the API sees 0, 1, then 2 (after 0), 3 (after 1), ...
    void p.processBatch(
      [0, 1, 2, 3, 4, 5].map((i) => rec(i, i % 2 ? 'b' : 'a', 'datastream')),
      ctx,
    );
    await tick();
    sender.calls[1].answer(ok); // 1 delivered
    await tick();
    sender.calls[2].answer(ok); // 3 delivered, while 0 is still under way: 2 is a hole behind it
    await tick();
    expect(sender.calls.map((c) => c.ids[0])).toEqual(['0:0', '0:1', '0:3', '0:5']);
    sender.respond = () => ok;
    const drained = p.drain(5000);
    sender.calls[0].answer(ok);
    sender.calls[3].answer(ok);
    await tick(10);
    await drained;
    expect(sender.calls.map((c) => c.ids[0])).toEqual(['0:0', '0:1', '0:3', '0:5', '0:2', '0:4']);
    expect(committable(p, 'in', 0)).toBe('6'); // nothing delivered is left uncommitted
  });

  it('drains at once when idle, and revoke forgets partitions', async () => {
    const sender = new FakeSender();
    const p = pipeline(sender, new FakeSink());
    await Promise.all([p.processBatch([rec(0, 'a', 'datastream')], ctx), tick()]);
    await Promise.all([p.drain(1000), p.drain(1000)]);
    await Promise.all([p.processBatch([rec(1, 'a', 'datastream')], ctx), tick()]); // takes batches again
    expect(committable(p, 'in', 0)).toBe('2');
    p.revoke([{ topic: 'in', partition: 0 }]);
    expect(p.committableAll()).toEqual([]);
  });
});
