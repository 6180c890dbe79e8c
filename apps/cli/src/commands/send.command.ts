import { GUANCE_MONITOR_HEADER, TARGETS } from '@app/contracts/targets';
import type { IHeaders } from 'kafkajs';
import { oneOf, parseFlags, requireFlag, UsageError } from '../args';
import { Command, PROGRAM } from '../command';
import { cliConfig } from '../config';
import { createKafka, partitionCounts, withAdmin } from '../kafka';

export const sendCommand: Command = {
  path: ['send'],
  usage: `${PROGRAM} send --target T --file F [--topic TOPIC] [--key K] [--monitor NAME]`,
  help: `Puts one record on an internal topic, for a quick check of the bridge.

  --target T       ${TARGETS.join(', ')}: the route header (BRIDGE_ROUTE_HEADER) value
  --file F         the record value: this file's bytes, as they are (- reads stdin)
  --topic TOPIC    default: the first of BRIDGE_TOPICS
  --key K          the record key (default: none)
  --monitor NAME   sets x-guance-monitor, a monitor named in GUANCE_MONITORS (guance only)`,

  async run(args, ctx) {
    const flags = parseFlags(args, {
      target: { type: 'string' },
      file: { type: 'string' },
      topic: { type: 'string' },
      key: { type: 'string' },
      monitor: { type: 'string' },
    });
    const target = oneOf('--target', requireFlag(flags.target, '--target'), TARGETS);
    const file = requireFlag(flags.file, '--file');
    if (flags.monitor !== undefined && target !== 'guance') throw new UsageError('--monitor goes with --target guance');
    const config = cliConfig(ctx.env, ['kafka', 'topics', 'routeHeader']);
    const topic = flags.topic ?? config.topics[0];
    if (!topic) throw new UsageError('--topic is required when BRIDGE_TOPICS is not set');
    const value = ctx.readFile(file);

    const headers: IHeaders = { [config.routeHeader]: target };
    if (flags.monitor !== undefined) headers[GUANCE_MONITOR_HEADER] = flags.monitor;
    const kafka = createKafka(config.kafka);
    const exists = await withAdmin(kafka, (admin) => partitionCounts(admin, [topic]));
    if (!exists.has(topic)) throw new Error(`topic "${topic}" does not exist`);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const [meta] = await producer.send({
        topic,
        acks: -1,
        messages: [{ key: flags.key ?? null, value, headers }],
      });
      ctx.out(`sent ${value.length} bytes to ${topic}/${meta.partition}@${meta.baseOffset} (target ${target})`);
    } finally {
      await producer.disconnect();
    }
    return 0;
  },
};
