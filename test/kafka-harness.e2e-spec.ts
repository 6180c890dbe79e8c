import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { consume, createTopic, produce, TestRecord, uniqueName } from './support/kafka';

describe('the Kafka harness', () => {
  it('round-trips keys, values, headers and timestamps byte for byte through the real broker', async () => {
    const topic = await createTopic(uniqueName('harness'), 2);
    const notUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]);
    const sent: TestRecord[] = [
      { key: 'k1', value: '{"a":1}', headers: { 'x-bridge-target': 'guance', trace: notUtf8 }, partition: 0 },
      { key: notUtf8, value: notUtf8, headers: { 'x-bridge-target': Buffer.from('datastream') }, partition: 1 },
      { key: null, value: null, headers: {}, partition: 0, timestamp: '1700000000123' },
      { key: 'k1', value: 'é€😀', headers: { multi: ['a', 'b'] }, partition: 0 },
    ];
    await produce(topic, sent);

    const got = await consume(topic, sent.length);
    expect(got).toHaveLength(sent.length);
    const byPartition = (p: number) =>
      got.filter((m) => m.partition === p).sort((a, b) => Number(a.offset) - Number(b.offset));
    const [first, nullOne, unicode] = byPartition(0);
    const [binary] = byPartition(1);

    expect(first.key).toEqual(Buffer.from('k1'));
    expect(first.value).toEqual(Buffer.from('{"a":1}'));
    expect(first.headers?.trace).toEqual(notUtf8);
    expect(first.headers?.['x-bridge-target']).toEqual(Buffer.from('guance'));
    expect(binary.key).toEqual(notUtf8);
    expect(binary.value).toEqual(notUtf8);
    expect(nullOne.key).toBeNull();
    expect(nullOne.value).toBeNull();
    expect(nullOne.timestamp).toBe('1700000000123');
    expect(unicode.value?.toString('utf8')).toBe('é€😀');
    expect(unicode.headers?.multi).toEqual([Buffer.from('a'), Buffer.from('b')]);
  });

  it('leaves no broker behind when the process that started it is killed with SIGKILL', async () => {
    const script = `
      require('ts-node').register({ transpileOnly: true });
      require(${JSON.stringify(join(__dirname, '../tools/kafka/broker.ts'))}).startKafka({ heap: '256m' })
        .then((k) => console.log(JSON.stringify({ brokers: k.brokers, pid: k.pid, dataDir: k.dataDir })));
      setInterval(() => undefined, 1000);`;
    const owner = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ brokers: string; pid: number; dataDir: string }>((resolve, reject) => {
      owner.stdout.on('data', (d: Buffer) => resolve(JSON.parse(d.toString())));
      owner.on('exit', (code) => reject(new Error(`owner exited with ${code} before the broker started`)));
    });
    const admin = new Kafka({ brokers: [started.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await expect(admin.describeCluster()).resolves.toHaveProperty('brokers');
    await admin.disconnect();

    owner.kill('SIGKILL');
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 40_000;
    while ((alive(started.pid) || existsSync(started.dataDir)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(alive(started.pid)).toBe(false);
    expect(existsSync(started.dataDir)).toBe(false);
    const probe = new Kafka({
      brokers: [started.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 1000,
    }).admin();
    await expect(probe.connect()).rejects.toThrow();
  });
});
