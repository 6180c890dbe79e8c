import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes } from 'kafkajs';
import { DLQ_HEADERS, type Target } from '@app/contracts';
import type { EmulatorServer } from '../../apps/emulator/src';
import { BridgeProcess, startBridge } from '../support/bridge-process';
import { keepOutput, Ledger, placedWorkload, report } from '../support/faults';
import { produce, TestRecord, uniqueName, withAdmin } from '../support/kafka';
import { logLines, metric, notReady, observe, until } from '../support/observe';
import { bridgeEnv, freshScenario, received, startTestEmulator } from '../support/stack';

const STALL_THRESHOLD_MS = 5_000;
const DEADLINE_MS = 20_000;
const DLQ_MAX_MESSAGE_BYTES = 16 * 1024;
const STALLED = 'partition stalled: its commit position does not move';

/**
 * What holds one partition's commit position back, with the other partitions and keys flowing:
 * a dead letter its DLQ topic cannot take, and a poison record the API always fails. Each shows
 * in readiness, metrics and an error or warn line naming partition, offset and cause within the
 * stall threshold (5 s, checked every 5 s), and clears by itself.
 */
describe('a stalled partition is loud, the others flow, and it clears by itself', () => {
  let emulator: { url: string; server: EmulatorServer };
  let bridge: BridgeProcess;
  let s: { topic: string; dlq: string; group: string };
  const ledgers: Ledger[] = [];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    s = await freshScenario(4);
    // A DLQ topic made (by someone else) for smaller records than the source topic takes.
    s.dlq = uniqueName('dlq-small');
    await withAdmin((a) =>
      a.createTopics({
        topics: [
          { topic: s.dlq, configEntries: [{ name: 'max.message.bytes', value: String(DLQ_MAX_MESSAGE_BYTES) }] },
        ],
        waitForLeaders: true,
      }),
    );
    bridge = await startBridge(
      bridgeEnv(emulator.url, s, {
        BRIDGE_STALL_THRESHOLD_MS: String(STALL_THRESHOLD_MS),
        BRIDGE_RETRY_DEADLINE_MS: String(DEADLINE_MS),
        BRIDGE_MAX_IN_FLIGHT: '16',
      }),
    );
    await bridge.waitReady();
  });

  afterAll(async () => {
    await Promise.all(ledgers.map((l) => l.stop()));
    keepOutput('stalls', bridge);
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
  });

  /**
   * Two waves of records over the 4 partitions (and `extra` at the end of the first), with the
   * offsets they will have: after what the topic holds, the second wave after the first.
   */
  async function waves(prefix: string, extra?: { id: string; record: TestRecord }) {
    const first = placedWorkload(240, 12, 4, `${prefix}a-`);
    const second = placedWorkload(240, 12, 4, `${prefix}b-`);
    const ends = await withAdmin((a) => a.fetchTopicOffsets(s.topic));
    const next = ends.sort((x, y) => x.partition - y.partition).map((p) => Number(p.high));
    for (const p of first.placed.values()) p.offset += next[p.partition];
    for (const p of first.placed.values()) next[p.partition]++;
    const extraOffset = extra ? next[extra.record.partition!]++ : undefined;
    for (const p of second.placed.values()) p.offset += next[p.partition];
    return {
      first: extra ? [...first.records, extra.record] : first.records,
      second: second.records,
      ids: new Set([...first.placed.keys(), ...second.placed.keys(), ...(extra ? [extra.id] : [])]),
      placed: new Map([...first.placed, ...second.placed]),
      extraOffset,
    };
  }

  /** Waits until readiness, the metrics and a log line show `target` stalled at `at`; returns when. */
  async function stallShown(target: Target, at: { partition: number; offset: number }, since: number, cause: RegExp) {
    const where = `partition ${s.topic}/${at.partition} stalled at offset ${at.offset} for`;
    const shown = await until(`the stall of ${target} at ${at.partition}/${at.offset}`, async () => {
      const o = await observe(bridge);
      const line = logLines(bridge, STALLED).find(
        (l) => l.time >= since && l.target === target && l.partition === at.partition,
      );
      return o.ready.status === 503 && notReady(o, target)?.startsWith(where) && line ? { o, line } : undefined;
    });
    const { o, line } = shown.value;
    expect(notReady(o, target)).toMatch(cause);
    expect(metric(o.metrics, 'bridge_stalled_partitions', { target })).toBe(1);
    const labels = { target, topic: s.topic, partition: String(at.partition) };
    expect(metric(o.metrics, 'bridge_partition_stall_seconds', labels)).toBeGreaterThanOrEqual(
      STALL_THRESHOLD_MS / 1000,
    );
    expect(line).toMatchObject({
      level: 40,
      topic: s.topic,
      offset: String(at.offset),
      cause: expect.stringMatching(cause),
    });
    return shown.at;
  }

  function expectMovesAgain(target: Target, partition: number, since: number): void {
    const lines = logLines(bridge, 'partition moves again').filter((l) => l.time >= since && l.target === target);
    expect(lines).toEqual([expect.objectContaining({ level: 30, topic: s.topic, partition })]);
  }

  it('a dead letter larger than its DLQ topic takes: loud at once, stalled past the threshold; written once the limit is raised', async () => {
    const target: Target = 'cloudinsight';
    const bad = { id: 'dlq-too-small-bad', partition: 1 };
    const record: TestRecord = {
      key: 'bad',
      // random, so that it stays larger than the DLQ topic takes once compressed (zstd)
      value: `not json ${randomBytes(64 * 1024).toString('base64')}`,
      headers: { 'x-bridge-target': target, 'x-test-id': bad.id },
      partition: bad.partition,
    };
    const w = await waves('dlq-', { id: bad.id, record });
    const ledger = await new Ledger(emulator.server, s.dlq, w.ids).start();
    ledgers.push(ledger);
    const start = Date.now();
    await produce(s.topic, w.first);

    const failed = await until('a failed dead-letter write, counted and logged', async () => {
      const { metrics } = await observe(bridge);
      const line = logLines(bridge, 'dead-letter write failed; its records wait, retrying').find(
        (l) => l.target === target,
      );
      return (metric(metrics, 'bridge_dead_letter_write_failures_total', { target }) ?? 0) > 0 && line;
    });
    expect(failed.value).toMatchObject({ level: 50, err: expect.objectContaining({ type: expect.any(String) }) });
    const cause = /dead-letter write failing: .*larger than the max message size/;
    const stalledAt = await stallShown(target, { partition: bad.partition, offset: w.extraOffset! }, start, cause);

    // The other partitions, and the other keys of this one, keep delivering.
    await produce(s.topic, w.second);
    const others = [...w.ids].filter((id) => id !== bad.id);
    await until(
      'every other record delivered',
      () => (ledger.poll(), others.every((id) => ledger.done(id))) || undefined,
    );
    expect(ledger.done(bad.id)).toBe(false);

    const fixedAt = Date.now();
    await withAdmin((a) =>
      a.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: s.dlq,
            configEntries: [{ name: 'max.message.bytes', value: '2097152' }],
          },
        ],
      }),
    );
    const written = await until('the letter written', () => (ledger.poll(), ledger.done(bad.id)) || undefined);
    const ready = await until('readiness 200', async () => (await observe(bridge)).ready.status === 200 || undefined);
    const after = await observe(bridge);
    const f = ledger.figures();
    report({
      scenario: 'dlq-topic-too-small',
      ...f,
      duplicateBound: 0,
      failureShownMs: failed.at - start,
      stallShownMs: stalledAt - start,
      recoverMs: written.at - fixedAt,
      readyAfterFixMs: ready.at - fixedAt,
      wallMs: ready.at - start,
    });
    expect(f).toMatchObject({ lost: 0, deadLettered: 1, duplicates: 0 });
    expect(ledger.deadLettered.get(bad.id)).toEqual(['malformed']);
    expect(ledger.dlqHeaders.get(bad.id)).toMatchObject({ [DLQ_HEADERS.target]: target });
    expect(metric(after.metrics, 'bridge_stalled_partitions', { target })).toBe(0);
    expectMovesAgain(target, bad.partition, start);
    expect(
      logLines(
        bridge,
        'the dead-letter topic takes smaller records than the source topics: raise its max.message.bytes, or a bad record larger than it blocks its partition',
      ),
    ).toHaveLength(1);
  });

  it('a poison record the API always fails (500): stalled while the rest flows, then dead-lettered exhausted', async () => {
    const target: Target = 'datastream';
    const w = await waves('poison-');
    // one of the first wave's Data Stream records, with records of its key and partition after it
    const poison = [...w.placed.values()].find((p) => p.target === target && p.id === `poison-a-${12 * 8}`)!;
    const ledger = await new Ledger(emulator.server, s.dlq, w.ids).start();
    ledgers.push(ledger);
    emulator.server.setFault({ api: target, status: 500, match: `"${poison.id}"` });
    const start = Date.now();
    await produce(s.topic, w.first);

    const stalledAt = await stallShown(target, poison, start, /retrying \(attempt \d+\): HTTP 500: errorCode 900/);
    // The records after it flow on, in its partition too, except its own key's, which wait behind it.
    await produce(s.topic, w.second);
    const keyOf = (id: string) => Number(id.split('-').pop()) % 12;
    const sameKey = (id: string) => w.placed.get(id)!.partition === poison.partition && keyOf(id) === keyOf(poison.id);
    const others = [...w.ids].filter((id) => id !== poison.id && !sameKey(id));
    await until(
      'every record of other keys delivered',
      () => (ledger.poll(), others.every((id) => ledger.done(id))) || undefined,
    );
    ledger.poll();
    const flowedBeforeDeadLetter = !ledger.done(poison.id);

    expect(await ledger.waitAll(DEADLINE_MS + 60_000)).toBe(0);
    const ready = await until('readiness 200', async () => (await observe(bridge)).ready.status === 200 || undefined);
    emulator.server.clearFaults();
    const f = ledger.figures();
    const headers = ledger.dlqHeaders.get(poison.id)!;
    report({
      scenario: 'poison-record-500',
      ...f,
      duplicateBound: 0,
      stallShownMs: stalledAt - start,
      exhaustedAfterMs: Date.parse(headers[DLQ_HEADERS.lastFailure]) - Date.parse(headers[DLQ_HEADERS.firstFailure]),
      attempts: headers[DLQ_HEADERS.attempts],
      recoverMs: ready.at - Date.parse(headers[DLQ_HEADERS.lastFailure]),
      wallMs: ready.at - start,
    });
    expect(flowedBeforeDeadLetter).toBe(true);
    // its key's later records waited for it: they reached the API only after its last attempt
    const laterOfKey = received(emulator.server, target).filter(
      (r) => w.placed.has(r.id) && sameKey(r.id) && w.placed.get(r.id)!.offset > poison.offset,
    );
    expect(laterOfKey.length).toBeGreaterThan(0);
    for (const r of laterOfKey) expect(r.at).toBeGreaterThanOrEqual(Date.parse(headers[DLQ_HEADERS.lastFailure]));
    expectMovesAgain(target, poison.partition, start);
    expect(f).toMatchObject({ lost: 0, deadLettered: 1, duplicates: 0 });
    expect(ledger.deadLettered.get(poison.id)).toEqual(['exhausted']);
    expect(headers).toMatchObject({ [DLQ_HEADERS.target]: target, [DLQ_HEADERS.httpStatus]: '500' });
  });
});
