import { DLQ_HEADERS, Target } from '@app/contracts';
import { secretForms } from '@app/http/secret-forms';
import { BridgeProcess, startBridge } from './support/bridge-process';
import { HostileApi, SHAPE_NAMES, startHostileApi } from './support/hostile-api';
import { ConsumedRecord, consumeUntil, produce, TestRecord } from './support/kafka';
import { recordBody } from './support/records';
import { bridgeEnv, freshScenario } from './support/stack';

// Canary credentials, with characters that change when URL-encoded or JSON-escaped, and no word
// that the pages or letters hold anyway (such as a header name).
const CANARIES = {
  NCP_ACCESS_KEY: 'AKIDLEAKCANARY7Q2W9E',
  NCP_SECRET_KEY: 'LEAKCANARYnsk4c1d8e2f9a7b',
  GUANCE_API_KEY: 'LEAKCANARYgak5e9a1c3f',
  GUANCE_SECRET: 'LEAKCANARY-mon-7f3a/9c2e+1b4d=5a',
  GUANCE_SUB_URI: 'leakcanary sub/ü-3b8d',
};
const OPS_MONITOR = { secret: 'LEAKCANARY-ops-2d6f%e1&x', subUri: 'leakcanary-ops-9c0a' };
/** Pieces that count as a leak: any 6 characters in a row of any form of any canary. */
const WINDOW = 6;

function windows(values: string[], size: number): Set<string> {
  const out = new Set<string>();
  for (const form of secretForms(values)) {
    for (let i = 0; i + Math.min(size, form.length) <= form.length; i++)
      out.add(form.slice(i, i + Math.min(size, form.length)));
  }
  return out;
}

function hits(text: string, pieces: Set<string>): string[] {
  return [...pieces].filter((piece) => text.includes(piece));
}

const h = (r: ConsumedRecord, name: string) => r.headers?.[name]?.toString() ?? '';

function record(target: Target, id: string, monitor?: string): TestRecord {
  const body = recordBody(target, id, 0);
  // A cw_key per record: Cloud Insight would coalesce records of one key into one call.
  if (target === 'cloudinsight') body.cw_key = `cw-${id}`;
  const headers: Record<string, string> = { 'x-bridge-target': target, 'x-test-id': id };
  if (monitor) headers['x-guance-monitor'] = monitor;
  return { key: id, value: JSON.stringify(body), headers };
}

describe('no secret and no header we sent in any dead letter, log line or metric (hostile API on loopback)', () => {
  let api: HostileApi;
  let bridge: BridgeProcess;
  let s: { topic: string; dlq: string; group: string };

  beforeAll(async () => {
    api = await startHostileApi();
    s = await freshScenario(4);
    bridge = await startBridge(
      bridgeEnv(api.url, s, {
        ...CANARIES,
        GUANCE_MONITORS: JSON.stringify({ ops: OPS_MONITOR }),
        BRIDGE_MAX_IN_FLIGHT: '16',
        // A record answered 5xx twice is dead-lettered at once (exhausted), with the 5xx page's text.
        BRIDGE_RETRY_DEADLINE_MS: '1',
      }),
    );
    await bridge.waitReady();
  });
  afterAll(async () => {
    await bridge?.kill('SIGKILL');
    await api?.close();
  });

  it('echoed URLs and headers, the cut at every position of the echo, in every shape: 0 hits', async () => {
    // Refused credentials and pauses put the error in the readiness answer: read it all along.
    const healthBodies: string[] = [];
    const polling = setInterval(() => {
      void bridge.get('/health/ready').then(
        (r) => r.status !== 200 && healthBodies.push(r.body),
        () => undefined,
      );
    }, 100);
    let produced = 0;
    let letters: ConsumedRecord[] = [];
    for (let round = 0; round < 12; round++) {
      const missing = api.missing();
      if (Object.values(missing).every((n) => n === 0)) break;
      const records: TestRecord[] = [];
      const add = (target: Target, n: number) => {
        // Some pages deliver (200) and some retries take a second page: a few more than missing.
        for (let i = 0; i < n + Math.ceil(n / 5) + 2; i++) {
          const id = `${target}-${round}-${i}`;
          records.push(record(target, id, target === 'guance' && i % 2 === 1 ? 'ops' : undefined));
        }
      };
      add('datastream', missing.datastream);
      add('cloudinsight', missing.ncp);
      add('guance', missing.guance);
      await produce(s.topic, records);
      produced += records.length;
      // Every record ends delivered (a 200 page) or dead-lettered.
      letters = await consumeUntil(s.dlq, (read) => read.length + api.delivered() >= produced, 180_000);
      expect(letters.length + api.delivered()).toBe(produced);
    }
    clearInterval(polling);
    expect(api.missing()).toEqual({ ncp: 0, datastream: 0, guance: 0 });

    const metrics = (await bridge.get('/metrics')).body;
    const health = healthBodies.join('\n');
    const logs = bridge.output();
    const letterText = letters
      .map((r) => [r.key?.toString(), r.value?.toString(), ...Object.values(r.headers ?? {}).map(String)].join('\n'))
      .join('\n');

    // The canaries, in every form, in any 6 characters in a row: in logs, metrics, and all of every letter.
    const canaries = windows([...Object.values(CANARIES), OPS_MONITOR.secret, OPS_MONITOR.subUri], WINDOW);
    const found = {
      logs: hits(logs, canaries),
      metrics: hits(metrics, canaries),
      health: hits(health, canaries),
      letters: hits(letterText, canaries),
    };
    // The headers we sent that change per request: no 8 characters of a signature, no timestamp.
    const errors = letters.map((r) => h(r, DLQ_HEADERS.error));
    const signatures = windows([...api.sent.signatures], 8);
    const signatureHits = errors.flatMap((e) => {
      const out: string[] = [];
      for (let i = 0; i + 8 <= e.length; i++) if (signatures.has(e.slice(i, i + 8))) out.push(e.slice(i, i + 8));
      return out;
    });
    const timestampHits = errors.flatMap((e) => (e.match(/\d{13}/g) ?? []).filter((t) => api.sent.timestamps.has(t)));

    const reasons = letters.reduce<Record<string, number>>((n, r) => {
      const key = `${h(r, DLQ_HEADERS.reason)} ${h(r, DLQ_HEADERS.httpStatus)}`;
      return { ...n, [key]: (n[key] ?? 0) + 1 };
    }, {});
    console.log(
      [
        `leak test: ${produced} records: ${letters.length} dead letters, ${api.delivered()} delivered; ` +
          `${api.sent.signatures.size} signatures sent, ${healthBodies.length} /health/ready answers read`,
        `cut positions served (api, shape): ${JSON.stringify(api.served())}`,
        `letters by reason and status: ${JSON.stringify(reasons)}`,
        `canary hits: logs ${found.logs.length}, metrics ${found.metrics.length}, health ${found.health.length}, ` +
          `letters ${found.letters.length}; ` +
          `signature hits ${signatureHits.length}, timestamp hits ${timestampHits.length}`,
      ].join('\n'),
    );
    expect(found).toEqual({ logs: [], metrics: [], health: [], letters: [] });
    expect(signatureHits).toEqual([]);
    expect(timestampHits).toEqual([]);

    // The scenarios ran as meant: every shape at every API, 4xx and 5xx, echoes redacted yet shown.
    expect(Object.keys(api.served())).toHaveLength(3 * SHAPE_NAMES.length);
    expect(Object.keys(reasons).some((k) => /^rejected 4\d\d$/.test(k))).toBe(true);
    expect(Object.keys(reasons).some((k) => /^exhausted 5\d\d$/.test(k))).toBe(true);
    for (const e of errors) expect(Buffer.byteLength(e)).toBeLessThanOrEqual(1024);
    expect(errors.some((e) => e.includes('/api/v1/push-events/***/***'))).toBe(true);
    expect(errors.some((e) => e.includes('x-ncp-apigw-signature-v2: ***'))).toBe(true);
    expect(errors.some((e) => e.includes('df-api-key: ***'))).toBe(true);
    // Refused credentials: the error is logged (and in /health/ready), redacted as well.
    const refusedLines = logs.split('\n').filter((l) => l.includes('the API refuses our credentials'));
    expect(refusedLines.length).toBeGreaterThan(0);
    expect(refusedLines.some((l) => l.includes('***'))).toBe(true);
  });
});
