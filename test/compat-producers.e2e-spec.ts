import { DLQ_HEADERS, TARGETS } from '@app/contracts';
import type { ITopicConfig } from 'kafkajs';
import { EmulatorServer } from '../apps/emulator/src';
import { BridgeProcess, startBridge } from './support/bridge-process';
import { asBytes, CompatCase, waitLagZero, originalHeaders, storedCodecs } from './support/compat';
import { Ledger, sleep } from './support/faults';
import { consumeUntil, uniqueName, withAdmin } from './support/kafka';
import { Codec, javaBatch, javaProduce, JavaStep, kcatSend, startJavaProducer } from './support/real-producers';
import { bridgeEnv, received, startTestEmulator, waitFor } from './support/stack';

// Records written by the Java client and by librdkafka (kcat), never by kafkajs, read by the bridge
// (a child process) against the emulated APIs. Every case checks by record id: delivered exactly
// once or dead-lettered once with the right reason (or, aborted and compacted away, never seen),
// and lag 0 at the end by the broker's own kafka-consumer-groups.

const CODECS: Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const ODD: [string, Buffer | string | null][] = [
  ['constructor', null],
  ['toString', 'to-string'],
  ['__proto__', Buffer.from([0xff, 0x00, 0xfe])],
  ['hasOwnProperty', null],
  ['10', 'ten'],
  ['2', 'two'],
  ['trace', Buffer.from([0xc3, 0x28])],
  ['trace', 'second'],
  ['', 'empty name'],
];
const OPEN_TXN_MS = 8_000;
const METADATA_MAX_AGE_MS = 3_000;

const suffix = uniqueName('c').slice(2);
const topic = (name: string) => `compat-${name}-${suffix}`;
const codecCases = CODECS.map((c) => new CompatCase(`codec-${c}`, [topic(`codec-${c}`)]));
const mixed = new CompatCase('mixed', [topic('mixed')]);
const recompressed = new CompatCase('recompressed', [topic('recompressed')]);
const txn = new CompatCase('txn', [topic('txn')]);
const compacted = new CompatCase('compacted', [topic('compacted')]);
const headers = new CompatCase('headers', [topic('headers')]);
const grown = new CompatCase('grown', [topic('grown')]);
const ALL = [...codecCases, mixed, recompressed, txn, compacted, headers, grown];
/** written once the bridge runs, to partitions 1 and 2 that do not exist before */
const grownRecords = [0, 1, 2].flatMap((partition) =>
  TARGETS.map((target) => grown.record(target, 'delivered', { partition })),
);

/** librdkafka (kcat) writes `perTarget` records for each target to one partition, compressed with `codec`. */
async function kcatEach(c: CompatCase, partition: number, codec: Codec, perTarget: number): Promise<void> {
  for (const target of TARGETS) {
    const records = c.kcatRecords(perTarget, target);
    await kcatSend({ topic: c.topics[0], partition, codec, headers: [['x-bridge-target', target]], records });
  }
}

async function createTopics(): Promise<void> {
  const t = (c: CompatCase, numPartitions: number, configs: Record<string, string> = {}): ITopicConfig => ({
    topic: c.topics[0],
    numPartitions,
    configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
  });
  const compact = { 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01' };
  await withAdmin((a) =>
    a.createTopics({
      waitForLeaders: true,
      topics: [
        ...codecCases.map((c) => t(c, 2)),
        t(mixed, 1),
        t(recompressed, 1, { 'compression.type': 'zstd' }),
        t(txn, 2),
        t(compacted, 1, compact),
        t(headers, 2),
        t(grown, 1),
      ],
    }),
  );
}

const spread = (c: CompatCase, count: number, partition?: number) =>
  Array.from({ length: count }, (_, n) => c.record(TARGETS[n % 3], 'delivered', { partition }));

/**
 * One Java producer run for every case but transactions and compaction: each codec on its own topic
 * (partition 0), each codec in turn in one partition, snappy to a topic the broker recompresses to
 * zstd, and the header oddities.
 */
function javaSteps(): JavaStep[] {
  const notUtf8 = Buffer.from([0xff, 0xfe, 0x80]);
  const h = headers;
  return [
    ...codecCases.flatMap((c, i) => javaBatch(CODECS[i], spread(c, 30, 0))),
    ...(['snappy', 'zstd', 'none', 'lz4', 'gzip'] as Codec[]).flatMap((codec) =>
      javaBatch(codec, spread(mixed, 10, 0)),
    ),
    ...javaBatch('snappy', spread(recompressed, 20)),
    ...javaBatch('zstd', [
      h.record('datastream', 'delivered', { headers: [['x-bridge-target', 'datastream'], ...ODD] }),
      h.record('datastream', 'unroutable', { headers: [...ODD, ['x-bridge-target', null]] }),
      h.record('guance', 'delivered', {
        headers: [
          ['x-bridge-target', 'guance'],
          ['x-bridge-target', 'datastream'],
        ],
      }),
      h.record('guance', 'delivered', {
        headers: [
          ['x-bridge-target', 'guance'],
          ['x-guance-monitor', null],
        ],
      }),
      h.record('datastream', 'malformed', { value: notUtf8, headers: [['x-bridge-target', 'datastream'], ...ODD] }),
      h.record('cloudinsight', 'invalid', {
        value: JSON.stringify({ cw_key: 'k' }),
        headers: [['constructor', 'c'], ['x-bridge-target', 'cloudinsight'], ['constructor', null], ...ODD],
      }),
    ]),
  ];
}

/** librdkafka's share of the same cases: partition 1 of each codec topic, its codecs in the mixed partition, header oddities. */
async function kcatProduce(): Promise<void> {
  for (const [i, c] of codecCases.entries()) await kcatEach(c, 1, CODECS[i], 10);
  for (const codec of ['lz4', 'gzip', 'zstd', 'snappy'] as Codec[]) await kcatEach(mixed, 0, codec, 4);
  await kcatEach(recompressed, 0, 'lz4', 7);
  const odd: [string, string | null][] = [
    ['constructor', null],
    ['__proto__', 'p'],
    ['toString', null],
  ];
  await kcatSend({
    topic: headers.topics[0],
    partition: 1,
    codec: 'lz4',
    headers: [...odd, ['x-bridge-target', 'cloudinsight']],
    records: headers.kcatRecords(5, 'cloudinsight'),
  });
}

/** Committed, aborted and (on partition 0) a transaction left open while others write after it. */
function startTransactions(): { open: Promise<void>; committedAt: Promise<number>; after: string[] } {
  const send = (partition: number, outcome: 'delivered' | 'absent', n: number): JavaStep[] =>
    Array.from({ length: n }, (_, i) => ({ op: 'send', record: txn.record(TARGETS[i % 3], outcome, { partition }) }));
  const steps: JavaStep[] = [0, 1].flatMap((p): JavaStep[] => [
    { op: 'begin' },
    ...send(p, 'delivered', 5),
    { op: 'commit' },
    { op: 'begin' },
    ...send(p, 'absent', 5),
    { op: 'flush' }, // written to the log, then aborted (unflushed records would just be dropped)
    { op: 'abort' },
  ]);
  const producer = startJavaProducer({ 'transactional.id': uniqueName('compat-txn'), 'compression.type': 'lz4' }, [
    ...steps,
    { op: 'begin' },
    ...send(0, 'delivered', 5),
    { op: 'flush' },
    { op: 'say', text: 'open' },
    { op: 'sleep', ms: OPEN_TXN_MS },
    { op: 'commit' },
    { op: 'say', text: 'committed' },
  ]);
  const after = txn.kcatRecords(10, 'guance');
  const open = producer.said('open').then(() =>
    kcatSend({
      topic: txn.topics[0],
      partition: 0,
      codec: 'snappy',
      headers: [['x-bridge-target', 'guance']],
      records: after,
    }),
  );
  return { open, committedAt: producer.said('committed').then(() => Date.now()), after: after.map((r) => r.id) };
}

/** Three versions of each key, a segment roll, then wait until the cleaner removed the old versions. */
async function produceCompacted(): Promise<void> {
  const versions = Array.from({ length: 3 }, (_, v) =>
    Array.from({ length: 6 }, (_, k) => ({
      ...compacted.record(TARGETS[k % 3], v === 2 ? 'delivered' : 'absent'),
      key: `key-${k}`,
    })),
  ).flat();
  await javaProduce({}, [
    ...javaBatch('none', versions),
    { op: 'sleep', ms: 300 },
    ...javaBatch('none', [compacted.record('datastream', 'delivered')]), // rolls the segment
  ]);
  const want = compacted.ids('delivered').length;
  await waitFor(
    'the log cleaner to compact the topic',
    async () => (await consumeUntil(compacted.topics[0], (r) => r.length > want, 3_000)).length === want,
    60_000,
  );
}

describe('compatibility: records from the Java client and librdkafka', () => {
  let emulator: { url: string; server: EmulatorServer };
  let bridge: BridgeProcess;
  let ledger: Ledger;
  let transactions: ReturnType<typeof startTransactions>;
  const s = {
    topic: ALL.map((c) => c.topics[0]).join(','),
    dlq: uniqueName('compat-dlq'),
    group: uniqueName('compat'),
  };
  const groups = TARGETS.map((t) => `${s.group}-${t}`);

  beforeAll(async () => {
    emulator = await startTestEmulator();
    await createTopics();
    await Promise.all([javaProduce({}, javaSteps()), kcatProduce(), produceCompacted()]);
    transactions = startTransactions();
    await transactions.open;
    bridge = await startBridge(bridgeEnv(emulator.url, s, { KAFKA_METADATA_MAX_AGE_MS: String(METADATA_MAX_AGE_MS) }));
    await bridge.waitReady();
    ledger = await new Ledger(emulator.server, s.dlq, new Set(ALL.flatMap((c) => c.ids()))).start();
  }, 240_000);

  afterAll(async () => {
    await ledger?.stop();
    await bridge?.kill('SIGKILL');
    await emulator?.server.close();
  });

  async function settled(c: CompatCase): Promise<void> {
    await waitFor(
      `${c.name}: every record delivered or dead-lettered`,
      () => c.pending(ledger).length === 0,
      90_000,
    ).catch(() => undefined);
    await sleep(1_000); // a duplicate or a stray delivery would show up by now
    expect(c.outcomes(ledger)).toEqual({});
  }

  const expectLagZero = async (c: CompatCase) => expect(await waitLagZero(groups, c.topics)).toEqual([]);

  it.each(CODECS.map((codec, i) => [codec, codecCases[i]] as const))(
    '%s batches of both clients: delivered exactly once, lag 0',
    async (codec, c) => {
      await settled(c);
      if (process.env.KAFKA_TEST_DATA_DIR) {
        for (const p of [0, 1])
          expect(await storedCodecs(process.env.KAFKA_TEST_DATA_DIR, c.topics[0], p)).toContain(codec);
      }
      await expectLagZero(c);
    },
  );

  it('every codec mixed in one partition, and a topic the broker recompresses to zstd', async () => {
    await settled(mixed);
    await settled(recompressed);
    if (process.env.KAFKA_TEST_DATA_DIR) {
      const dir = process.env.KAFKA_TEST_DATA_DIR;
      expect(new Set(await storedCodecs(dir, mixed.topics[0], 0))).toEqual(new Set(['none', ...CODECS]));
      expect(new Set(await storedCodecs(dir, recompressed.topics[0], 0))).toEqual(new Set(['zstd']));
    }
    await expectLagZero(mixed);
    await expectLagZero(recompressed);
  });

  it('transactions: committed delivered once, aborted never, records behind an open one wait for its commit', async () => {
    const committedAt = await transactions.committedAt;
    await settled(txn);
    for (const id of transactions.after) {
      expect(ledger.delivered.get(id)).toBe(1);
    }
    const deliveredAt = TARGETS.flatMap((t) => received(emulator.server, t))
      .filter((e) => transactions.after.includes(e.id))
      .map((e) => e.at);
    expect(Math.min(...deliveredAt)).toBeGreaterThanOrEqual(committedAt - 1_000);
    await expectLagZero(txn);
  });

  it('a compacted topic: the surviving version of each key delivered once, lag 0 past the gaps', async () => {
    await settled(compacted);
    await expectLagZero(compacted);
  });

  it('any header: null and repeated route headers, odd names, null values; dead letters keep them byte for byte', async () => {
    await settled(headers);
    for (const [id, sent] of headers.sentHeaders) {
      const letter = ledger.dlqHeaderList.get(id)!;
      expect(originalHeaders(letter)).toEqual(asBytes(sent));
      expect(letter.filter((h) => h.key === DLQ_HEADERS.reason).map((h) => String(h.value))).toEqual([
        headers.expected.get(id),
      ]);
    }
    await expectLagZero(headers);
  });

  it(`partitions added while it runs are consumed within the metadata age (${METADATA_MAX_AGE_MS} ms here)`, async () => {
    await withAdmin((a) => a.createPartitions({ topicPartitions: [{ topic: grown.topics[0], count: 3 }] }));
    await javaProduce(
      {},
      grownRecords.map((record) => ({ op: 'send' as const, record })),
    );
    await settled(grown);
    await expectLagZero(grown);
  });

  it('stays ready and live throughout', async () => {
    expect((await bridge.get('/health/ready')).status).toBe(200);
    expect((await bridge.get('/health/live')).status).toBe(200);
  });
});
