import type { Consumer } from 'kafkajs';
import { createTopic, produce, testKafka, uniqueName } from './support/kafka';

// The bridge's consumers ask the broker for full fetches (minBytes) held at most
// BRIDGE_FETCH_MAX_WAIT_MS (10 ms): at a steady rate one round trip gathers 10 ms of records. On an
// idle topic that would be a fetch every 10 ms per group. kafkajs, patched, holds the fetch after an
// empty one until the first record comes or maxWaitTimeIdleInMs passes.
describe('an idle consumer group (patched kafkajs, maxWaitTimeIdleInMs)', () => {
  let consumer: Consumer | undefined;
  afterEach(async () => consumer?.disconnect());

  it('does not poll an empty topic every maxWaitTimeInMs, and takes the first record as it comes', async () => {
    const topic = await createTopic(uniqueName('idle-fetch'), 4);
    consumer = testKafka().consumer({
      groupId: uniqueName('idle-fetch'),
      minBytes: 512 * 1024,
      maxWaitTimeInMs: 10,
      maxWaitTimeIdleInMs: 500,
    });
    let fetches = 0;
    consumer.on(consumer.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'Fetch') fetches++;
    });
    const received: string[] = [];
    let joined!: () => void;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) received.push(m.value?.toString() ?? '');
      },
    });
    await hasJoined;
    await new Promise((r) => setTimeout(r, 1000));
    const before = fetches;
    await new Promise((r) => setTimeout(r, 3000));
    // 3 s: at most ~6 fetches held 500 ms each; unpatched, one every 10 ms (~300).
    expect(fetches - before).toBeLessThanOrEqual(12);

    await produce(topic, [{ key: 'k', value: 'first', headers: {}, partition: 2 }]);
    while (received.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual(['first']);
  });
});
