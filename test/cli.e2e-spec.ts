import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IHeaders } from 'kafkajs';
import { REPLAY_COUNT_HEADER } from '@app/contracts';
import { EmulatorOptions, startEmulator } from '../apps/emulator/src';
import { lines, runCli } from './support/cli';
import { deadLetter, Original, SENT_AT } from './support/dead-letters';
import { consume, ConsumedRecord, createTopic, produce, uniqueName, withAdmin } from './support/kafka';

const NOT_UTF8 = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]);

/** Two source topics (the first with two partitions), both empty, and a DLQ holding four failures. */
async function scenario() {
  const orders = await createTopic(uniqueName('cli-orders'), 2);
  const events = await createTopic(uniqueName('cli-events'));
  const dlq = await createTopic(uniqueName('cli-dlq'));
  const originals: Record<'rejected' | 'binary' | 'nullValue' | 'exhausted', Original> = {
    rejected: {
      key: 'k1',
      value: '{"cw_key":"abc","data":{"cpu":1}}',
      headers: { 'x-bridge-target': 'cloudinsight', trace: 'trace-1' },
    },
    binary: { key: NOT_UTF8, value: NOT_UTF8, headers: { 'x-bridge-target': 'datastream', bin: NOT_UTF8 } },
    nullValue: { key: 'k3', value: null, headers: { multi: ['a', 'b'] } },
    exhausted: {
      key: null,
      value: '{"event":{"title":"t","status":"ok","date":1}}',
      headers: { 'x-bridge-target': 'guance', 'x-guance-monitor': 'ops' },
    },
  };
  const longError = `HTTP 400 errorCode 400: ${'bad field; '.repeat(30)}`;
  await produce(dlq, [
    deadLetter(originals.rejected, {
      reason: 'rejected',
      target: 'cloudinsight',
      sourceTopic: orders,
      sourcePartition: 1,
      sourceOffset: 5,
      lastFailure: '2024-05-01T10:00:00.000Z',
      httpStatus: 400,
      error: longError,
    }),
    deadLetter(originals.binary, {
      reason: 'malformed',
      target: 'datastream',
      sourceTopic: orders,
      sourcePartition: 0,
      sourceOffset: 7,
      lastFailure: '2024-05-02T10:00:00.000Z',
      error: 'value is not UTF-8 JSON',
    }),
    deadLetter(originals.nullValue, {
      reason: 'unroutable',
      sourceTopic: events,
      sourcePartition: 0,
      sourceOffset: 1,
      lastFailure: '2024-05-03T10:00:00.000Z',
      error: 'no x-bridge-target header',
    }),
    deadLetter(originals.exhausted, {
      reason: 'exhausted',
      target: 'guance',
      sourceTopic: events,
      sourcePartition: 0,
      sourceOffset: 2,
      lastFailure: '2024-05-04T10:00:00.000Z',
      attempts: 12,
      httpStatus: 503,
      error: 'HTTP 503 after 12 attempts',
    }),
  ]);
  return { orders, events, dlq, originals, env: { BRIDGE_DLQ_TOPIC: dlq } };
}

async function recordCount(topic: string): Promise<number> {
  const offsets = await withAdmin((a) => a.fetchTopicOffsets(topic));
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/** Every record of a topic (its count known from the offsets), by partition then offset. */
async function readAll(topic: string): Promise<ConsumedRecord[]> {
  const count = await recordCount(topic);
  const got = count === 0 ? [] : await consume(topic, count);
  return got.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

const buf = (v: string | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(v));

/** Original headers as the broker hands them back, plus the replay counter. */
function expectedHeaders(original: Original, replayCount: number): IHeaders {
  const out: IHeaders = {};
  for (const [k, v] of Object.entries(original.headers)) {
    out[k] = Array.isArray(v) ? v.map(buf) : buf(v as string | Buffer);
  }
  out[REPLAY_COUNT_HEADER] = Buffer.from(String(replayCount));
  return out;
}

/** An emulator of the APIs, a payload file, and the environment that points the CLI at both. */
async function integrationApi(opts: EmulatorOptions, payloadText: string) {
  const { url, server } = await startEmulator(opts);
  const payload = join(mkdtempSync(join(tmpdir(), 'cli-integration-')), 'payload.json');
  writeFileSync(payload, payloadText);
  const env = {
    CLOUDINSIGHT_ENDPOINT: url,
    NCP_ACCESS_KEY: 'emulator-access-key',
    NCP_SECRET_KEY: 'emulator-secret-key',
  };
  return { server, payload, env };
}

const createIntegration = (name: string) => [
  'cloudinsight',
  'integration',
  'create',
  '--name',
  name,
  '--url',
  'https://hooks.example.com/x',
];

async function listJson(env: Record<string, string>, ...filters: string[]) {
  const r = await runCli(['dlq', 'list', '--json', ...filters], env);
  expect(r).toMatchObject({ code: 0 });
  return lines(r.stdout).map((l) => JSON.parse(l));
}

describe('the command line', () => {
  it('lists the DLQ as an aligned table, up to its end, and says how many matched', async () => {
    const s = await scenario();
    const r = await runCli(['dlq', 'list'], s.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [head, ...rows] = lines(r.stdout);
    expect(head).toMatch(/^DLQ\s+REASON\s+TARGET\s+SOURCE\s+ATTEMPTS\s+HTTP\s+LAST FAILURE\s+REPLAYS\s+ERROR$/);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatch(
      new RegExp(
        `^0@0\\s+rejected\\s+cloudinsight\\s+${s.orders}/1@5\\s+1\\s+400\\s+2024-05-01T10:00:00.000Z\\s+0\\s+HTTP 400`,
      ),
    );
    expect(rows[2]).toMatch(new RegExp(`^0@2\\s+unroutable\\s+-\\s+${s.events}/0@1\\s`));
    // Columns line up: every row's SOURCE starts where the heading's does.
    expect(
      rows
        .slice(0, 4)
        .every(
          (row) => row.indexOf(s.orders) === head.indexOf('SOURCE') || row.indexOf(s.events) === head.indexOf('SOURCE'),
        ),
    ).toBe(true);
    // The long error is cut to about 80 characters.
    const error = rows[0].slice(head.indexOf('ERROR'));
    expect(Array.from(error)).toHaveLength(80);
    expect(error.endsWith('…')).toBe(true);
    expect(rows[4]).toBe(`4 of 4 records in ${s.dlq} shown`);
  });

  it('filters by reason, target, source topic and last-failure time, and limits', async () => {
    const s = await scenario();
    const offsets = async (...filters: string[]) =>
      (await listJson(s.env, ...filters)).map((e: { dlq: { offset: string } }) => Number(e.dlq.offset));
    expect(await offsets('--reason', 'rejected')).toEqual([0]);
    expect(await offsets('--reason', 'malformed', '--reason', 'unroutable')).toEqual([1, 2]);
    expect(await offsets('--target', 'datastream')).toEqual([1]);
    expect(await offsets('--source-topic', s.events)).toEqual([2, 3]);
    expect(await offsets('--since', '2024-05-02T12:00:00Z')).toEqual([2, 3]);
    expect(await offsets('--since', '2024-05-02', '--until', '2024-05-03T11:00:00+01:00')).toEqual([1, 2]);
    expect(await offsets('--limit', '3', '--source-topic', s.orders, '--source-topic', s.events)).toEqual([0, 1, 2]);
  });

  it('prints everything as JSON lines: bytes as UTF-8 when valid, else base64; null stays null', async () => {
    const s = await scenario();
    const [rejected, binary, nullValue, exhausted] = await listJson(s.env);
    expect(rejected).toMatchObject({
      dlq: { topic: s.dlq, partition: 0, offset: '0', timestamp: SENT_AT },
      reason: 'rejected',
      target: 'cloudinsight',
      source: { topic: s.orders, partition: 1, offset: '5', timestamp: SENT_AT },
      consumerGroup: 'kafka-ncp-bridge',
      attempts: 1,
      firstFailure: '2024-05-01T10:00:00.000Z',
      lastFailure: '2024-05-01T10:00:00.000Z',
      httpStatus: 400,
      replayCount: 0,
      key: { utf8: 'k1' },
      value: { utf8: '{"cw_key":"abc","data":{"cpu":1}}' },
    });
    expect(rejected.error).toMatch(/^HTTP 400 errorCode 400: (bad field; ){30}$/);
    expect(rejected.headers).toEqual(
      expect.arrayContaining([
        { key: 'trace', value: { utf8: 'trace-1' } },
        { key: 'x-dlq-reason', value: { utf8: 'rejected' } },
      ]),
    );
    expect(binary).toMatchObject({
      key: { base64: NOT_UTF8.toString('base64') },
      value: { base64: NOT_UTF8.toString('base64') },
    });
    expect(binary.headers).toContainEqual({ key: 'bin', value: { base64: NOT_UTF8.toString('base64') } });
    expect(nullValue).toMatchObject({ target: null, value: null, httpStatus: null });
    expect(nullValue.headers.slice(0, 2)).toEqual([
      { key: 'multi', value: { utf8: 'a' } },
      { key: 'multi', value: { utf8: 'b' } },
    ]);
    expect(exhausted).toMatchObject({ key: null, attempts: 12, httpStatus: 503 });
  });

  it('ends at once on an empty DLQ, and fails with one line when the DLQ topic does not exist', async () => {
    const empty = await createTopic(uniqueName('cli-dlq-empty'), 3);
    const listed = await runCli(['dlq', 'list'], { BRIDGE_DLQ_TOPIC: empty });
    expect(listed).toMatchObject({ code: 0, stdout: `0 of 0 records in ${empty} shown\n` });
    const missing = uniqueName('cli-dlq-missing');
    const failed = await runCli(['dlq', 'replay'], { BRIDGE_DLQ_TOPIC: missing });
    expect(failed).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: DLQ topic "${missing}" does not exist (BRIDGE_DLQ_TOPIC)\n`,
    });
  });

  it('writes nothing on a dry run, and says what it would replay and what it refuses', async () => {
    const s = await scenario();
    const r = await runCli(['dlq', 'replay', '--dry-run'], s.env);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `would-replay 0@0      -> ${s.orders}/1 (replay 1 of 3)`,
      'unfixable    0@1      malformed: the same record would fail the same way; refused (--force replays it)',
      'unfixable    0@2      unroutable: the same record would fail the same way; refused (--force replays it)',
      `would-replay 0@3      -> ${s.events}/0 (replay 1 of 3)`,
      'dry run, nothing written: would replay 2, unfixable 2, refused by loop guard 0, without source topic 0, ' +
        `source topic missing 0, filtered out 0 (4 of 4 records read from ${s.dlq})`,
    ]);
    expect(await recordCount(s.orders)).toBe(0);
    expect(await recordCount(s.events)).toBe(0);
  });

  it('refuses letters a replay cannot fix unless --force, so the DLQ does not fill with the same failures', async () => {
    const s = await scenario();
    const refused = await runCli(['dlq', 'replay', '--reason', 'malformed,unroutable', '--json'], s.env);
    expect(refused.code).toBe(0);
    const [malformed, unroutable, summary] = lines(refused.stdout).map((l) => JSON.parse(l));
    expect(malformed).toEqual({
      action: 'unfixable',
      dlq: { partition: 0, offset: '1' },
      reason: 'malformed',
      topic: s.orders,
      replayCount: 0,
    });
    expect(unroutable).toMatchObject({ action: 'unfixable', reason: 'unroutable' });
    expect(summary.summary).toMatchObject({ replayed: 0, unfixable: 2, filteredOut: 2 });
    expect((await recordCount(s.orders)) + (await recordCount(s.events))).toBe(0);
  });

  it('replays exactly the matching records to their source topic and partition, byte for byte, minus x-dlq-*', async () => {
    const s = await scenario();
    const r = await runCli(['dlq', 'replay', '--source-topic', s.orders, '--force'], s.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `replayed     0@0      -> ${s.orders}/1 (replay 1 of 3)`,
      `replayed     0@1      -> ${s.orders}/0 (replay 1 of 3)`,
      'replayed 2, unfixable 0, refused by loop guard 0, without source topic 0, source topic missing 0, ' +
        `filtered out 2 (4 of 4 records read from ${s.dlq})`,
    ]);
    expect(await recordCount(s.events)).toBe(0);
    const [binary, rejected] = await readAll(s.orders);
    expect(binary.partition).toBe(0);
    expect(binary.key).toEqual(NOT_UTF8);
    expect(binary.value).toEqual(NOT_UTF8);
    expect(binary.headers).toEqual(expectedHeaders(s.originals.binary, 1));
    expect(rejected.partition).toBe(1);
    expect(rejected.key).toEqual(Buffer.from('k1'));
    expect(rejected.value).toEqual(Buffer.from('{"cw_key":"abc","data":{"cpu":1}}'));
    expect(rejected.headers).toEqual(expectedHeaders(s.originals.rejected, 1));

    const more = await runCli(['dlq', 'replay', '--reason', 'unroutable', '--force', '--json'], s.env);
    expect(more.code).toBe(0);
    const [action, summary] = lines(more.stdout).map((l) => JSON.parse(l));
    expect(action).toEqual({
      action: 'replayed',
      dlq: { partition: 0, offset: '2' },
      topic: s.events,
      partition: 0,
      replayCount: 1,
    });
    expect(summary).toEqual({
      summary: {
        dryRun: false,
        interrupted: false,
        replayed: 1,
        unfixable: 0,
        loopGuard: 0,
        noSourceTopic: 0,
        missingTopic: 0,
        filteredOut: 3,
        read: 4,
        total: 4,
      },
    });
    const [nullValue] = await readAll(s.events);
    expect(nullValue.key).toEqual(Buffer.from('k3'));
    expect(nullValue.value).toBeNull();
    expect(nullValue.headers).toEqual(expectedHeaders(s.originals.nullValue, 1));
  });

  it('replays what it can and exits 1 when a source topic is gone', async () => {
    const s = await scenario();
    await withAdmin((a) => a.deleteTopics({ topics: [s.events] }));
    const r = await runCli(['dlq', 'replay', '--force'], s.env);
    expect(r.code).toBe(1);
    expect(lines(r.stdout).filter((l) => l.startsWith('no-topic'))).toEqual([
      `no-topic     0@2      source topic "${s.events}" does not exist; not replayed`,
      `no-topic     0@3      source topic "${s.events}" does not exist; not replayed`,
    ]);
    expect(lines(r.stdout).pop()).toMatch(/^replayed 2, .* source topic missing 2, /);
    expect(await recordCount(s.orders)).toBe(2);
  });

  it('replays the same records again when run again: the DLQ is not consumed (no offsets are committed)', async () => {
    const s = await scenario();
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['dlq', 'replay', '--target', 'guance', '--rate', '50'], s.env);
      expect(r.code).toBe(0);
      expect(lines(r.stdout).pop()).toMatch(/^replayed 1, /);
    }
    const replayed = await readAll(s.events);
    expect(replayed).toHaveLength(2);
    for (const m of replayed) expect(m.headers).toEqual(expectedHeaders(s.originals.exhausted, 1));
  });

  it('counts replays across failures and refuses a record at --max-replays (the loop guard)', async () => {
    const source = await createTopic(uniqueName('cli-loop'));
    const dlq = await createTopic(uniqueName('cli-loop-dlq'));
    const env = { BRIDGE_DLQ_TOPIC: dlq };
    const original: Original = {
      key: 'loop',
      value: '{"cw_key":"x","data":{}}',
      headers: { 'x-bridge-target': 'cloudinsight' },
    };
    const fail = (record: Original, day: number) =>
      produce(dlq, [
        deadLetter(record, {
          reason: 'rejected',
          target: 'cloudinsight',
          sourceTopic: source,
          sourcePartition: 0,
          sourceOffset: day,
          lastFailure: `2024-06-0${day}T00:00:00.000Z`,
          error: 'HTTP 400',
        }),
      ]);
    // The bridge fails the record, the CLI replays it, the bridge fails the replayed copy again...
    await fail(original, 1);
    for (let day = 1; day <= 2; day++) {
      const r = await runCli(['dlq', 'replay', '--since', `2024-06-0${day}`, '--max-replays', '2'], env);
      expect(lines(r.stdout).pop()).toMatch(/^replayed 1, unfixable 0, refused by loop guard 0/);
      const copies = await readAll(source);
      const copy = copies[copies.length - 1];
      expect(copy.headers?.[REPLAY_COUNT_HEADER]).toEqual(Buffer.from(String(day)));
      await fail({ key: copy.key, value: copy.value, headers: copy.headers ?? {} }, day + 1);
    }
    const refused = await runCli(['dlq', 'replay', '--since', '2024-06-03', '--max-replays', '2'], env);
    expect(refused.code).toBe(0);
    expect(lines(refused.stdout)).toEqual([
      'loop-guard   0@2      already replayed 2 times (--max-replays 2); refused',
      'replayed 0, unfixable 0, refused by loop guard 1, without source topic 0, source topic missing 0, ' +
        `filtered out 2 (3 of 3 records read from ${dlq})`,
    ]);
    expect(await recordCount(source)).toBe(2);
    // A higher limit lets it through, with the counter at 3.
    const allowed = await runCli(['dlq', 'replay', '--since', '2024-06-03'], env);
    expect(lines(allowed.stdout).pop()).toMatch(/^replayed 1, /);
    const copies = await readAll(source);
    expect(copies[2].headers?.[REPLAY_COUNT_HEADER]).toEqual(Buffer.from('3'));
    expect(copies[2].headers?.['x-bridge-target']).toEqual(Buffer.from('cloudinsight'));
    expect(Object.keys(copies[2].headers ?? {}).filter((h) => h.startsWith('x-dlq-'))).toEqual([]);
  });

  it('sends one record from a file with the route and monitor headers', async () => {
    const topic = await createTopic(uniqueName('cli-send'));
    const file = join(mkdtempSync(join(tmpdir(), 'cli-send-')), 'event.bin');
    writeFileSync(file, NOT_UTF8);
    const r = await runCli(['send', '--target', 'guance', '--file', file, '--key', 'k', '--monitor', 'ops'], {
      BRIDGE_TOPICS: `${topic},other`,
      BRIDGE_ROUTE_HEADER: 'x-route',
    });
    expect(r).toMatchObject({ code: 0, stdout: `sent 5 bytes to ${topic}/0@0 (target guance)\n` });
    const [sent] = await consume(topic, 1);
    expect(sent.key).toEqual(Buffer.from('k'));
    expect(sent.value).toEqual(NOT_UTF8);
    expect(sent.headers).toEqual({ 'x-route': Buffer.from('guance'), 'x-guance-monitor': Buffer.from('ops') });
  });

  it('rejects bad arguments with a usage line and exit code 2', async () => {
    // The full table of bad command lines is in apps/cli/src/cli.spec.ts (in-process, fast).
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /^error: unknown command "frobnicate"/],
      [['dlq', 'list', '--colour'], /^error: Unknown option '--colour'/],
      [['dlq', 'replay', '--reason', 'lost'], /^error: --reason must be one of unroutable, malformed/],
      [['dlq', 'list', '--since', 'last tuesday'], /^error: --since must be an ISO 8601 time/],
      [['send', '--file', 'x.json'], /^error: --target is required/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      expect({ args: cases[i][0], code: r.code, stdout: r.stdout }).toEqual({ args: cases[i][0], code: 2, stdout: '' });
      expect(r.stderr).toMatch(cases[i][1]);
      expect(r.stderr).toMatch(/\n\s*(usage: )?bridge-cli /);
    });
  });

  it('prints help on stdout and exits 0', async () => {
    const [replay, all] = await Promise.all([runCli(['dlq', 'replay', '--help']), runCli(['--help'])]);
    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(replay.stdout).toMatch(/^usage: bridge-cli dlq replay .*\n\nWrites dead-letter records back/);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(lines(all.stdout).filter((l) => l.startsWith('  bridge-cli '))).toHaveLength(5);
  });

  it('fails with one clear line and exit code 1 when no broker answers', async () => {
    const started = Date.now();
    const r = await runCli(['dlq', 'list'], { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1: .*ECONNREFUSED.*\n$/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('creates a Cloud Insight integration once per name (emulator)', async () => {
    const { server, payload, env } = await integrationApi({}, '{"text": "#{RULE_NAME} is #{EVENT_STATUS}"}');
    try {
      const args = createIntegration('bridge-alerts');
      const first = await runCli(
        [...args, '--payload-file', payload, '--header', 'content-type=application/json'],
        env,
      );
      expect(first).toMatchObject({ code: 0, stderr: 'created integration "bridge-alerts"\n' });
      const second = await runCli([...args, '--payload-file', payload], env);
      expect(second).toMatchObject({
        code: 0,
        stdout: first.stdout,
        stderr: 'integration "bridge-alerts" exists already; nothing created\n',
      });

      const stored = server.integrations();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({
        integrationId: first.stdout.trim(),
        name: 'bridge-alerts',
        type: 'OUT_GOING',
        url: 'https://hooks.example.com/x',
        payload: '{"text": "#{RULE_NAME} is #{EVENT_STATUS}"}',
        headers: { 'content-type': 'application/json' },
        dmnCd: 'PUB',
      });
      const listed = await runCli(['cloudinsight', 'integration', 'list', '--json'], env);
      expect(lines(listed.stdout).map((l) => JSON.parse(l))).toEqual([
        {
          integrationId: first.stdout.trim(),
          name: 'bridge-alerts',
          type: 'OUT_GOING',
          url: 'https://hooks.example.com/x',
        },
      ]);
      const refused = await runCli(['cloudinsight', 'integration', 'list'], { ...env, NCP_SECRET_KEY: 'wrong' });
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toMatch(/^error: ListIntegrations failed: .*401/);
      expect(refused.stderr).not.toContain('wrong');
    } finally {
      await server.close();
    }
  });

  it('creates a Cloud Insight integration against an API with only the documented calls (emulator)', async () => {
    const { server, payload, env } = await integrationApi({ documentedOnly: true }, '{"text": "#{RULE_NAME}"}');
    try {
      const create = createIntegration('alerts');
      const r = await runCli([...create, '--payload-file', payload], env);
      expect(r).toMatchObject({ code: 0 });
      expect(lines(r.stderr)).toEqual([
        'the API has no list of integrations (HTTP 404): cannot check whether "alerts" exists; creating it',
        'created integration "alerts"',
      ]);
      expect(server.integrations()).toMatchObject([{ integrationId: r.stdout.trim(), name: 'alerts' }]);
      const listed = await runCli(['cloudinsight', 'integration', 'list'], env);
      expect(listed).toMatchObject({ code: 1, stdout: '' });
      expect(listed.stderr).toMatch(/^error: ListIntegrations failed: HTTP 404/);
    } finally {
      await server.close();
    }
  });
});
