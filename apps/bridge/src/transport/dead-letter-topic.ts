import { Admin, ConfigResourceTypes } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';

const MAX_MESSAGE_BYTES = 'max.message.bytes';
/** Room for the x-dlq-* headers (x-dlq-error alone may take 1 KiB) and the record batch framing. */
const DLQ_HEADROOM_BYTES = 64 * 1024;

/**
 * Creates the dead-letter topic when it does not exist. A bad record is dead-lettered byte for
 * byte, so the DLQ must take the largest record a source topic takes, plus the x-dlq-* headers;
 * otherwise its write fails forever and blocks the target. Dead letters keep their original
 * timestamps, so time-based retention would delete the letters of old records at once: the topic
 * keeps them until removed. No right to create or describe topics is not fatal (the topic may be
 * managed elsewhere): that is logged.
 */
export async function ensureDeadLetterTopic(admin: Admin, dlqTopic: string, sources: string[], log: PinoLogger) {
  try {
    const topics = await admin.listTopics();
    const exists = topics.includes(dlqTopic);
    const limits = await maxMessageBytes(admin, [
      ...sources.filter((t) => topics.includes(t)),
      ...(exists ? [dlqTopic] : []),
    ]).catch(() => new Map<string, number>()); // no right to describe configs: create it as before
    const needed = Math.max(...sources.map((t) => limits.get(t) ?? 0)) + DLQ_HEADROOM_BYTES;
    if (!exists) {
      const configEntries = [{ name: 'retention.ms', value: '-1' }];
      if (needed > DLQ_HEADROOM_BYTES) configEntries.push({ name: MAX_MESSAGE_BYTES, value: String(needed) });
      await admin.createTopics({ topics: [{ topic: dlqTopic, configEntries }], waitForLeaders: true });
      log.info({ topic: dlqTopic, maxMessageBytes: needed }, 'created the dead-letter topic');
    } else if ((limits.get(dlqTopic) ?? needed) < needed) {
      log.warn(
        { topic: dlqTopic, maxMessageBytes: limits.get(dlqTopic), needed },
        'the dead-letter topic takes smaller records than the source topics: raise its max.message.bytes, ' +
          'or a bad record larger than it blocks its partition',
      );
    }
  } catch (err) {
    log.warn({ err, topic: dlqTopic }, 'could not check or create the dead-letter topic');
  }
}

/**
 * A topic of BRIDGE_TOPICS that does not exist stops the bridge at start with an error naming it
 * (a typo would otherwise consume nothing, silently); the orchestrator restarts it until it exists.
 */
export async function checkSourceTopics(admin: Admin, topics: string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    throw new Error(
      `BRIDGE_TOPICS names topics that do not exist: ${missing.join(', ')} (create them, or fix BRIDGE_TOPICS)`,
    );
  }
}

/** max.message.bytes of each topic (the broker default when the topic sets none). */
async function maxMessageBytes(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map();
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: [MAX_MESSAGE_BYTES] })),
  });
  return new Map(
    resources.map((r) => [
      r.resourceName,
      Number(r.configEntries.find((e) => e.configName === MAX_MESSAGE_BYTES)?.configValue),
    ]),
  );
}
