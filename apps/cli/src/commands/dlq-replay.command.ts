import type { Kafka, Message } from 'kafkajs';
import { integer, parseFlags, positiveNumber } from '../args';
import { dlqTopic, kafkaSettings } from '../cli-env';
import { CliContext, Command, PROGRAM } from '../command';
import type { DlqEntry } from '../dlq/dlq-entry';
import { FILTER_FLAGS, FILTER_HELP, FILTER_USAGE, matches, parseFilter } from '../dlq/dlq-filter';
import { readDlq } from '../dlq/dlq-reader';
import { position } from '../dlq/dlq-view';
import { replayMessage } from '../dlq/replay-message';
import { createKafka, partitionCounts, withAdmin } from '../kafka';

interface Planned {
  entry: DlqEntry;
  topic: string;
  message: Message;
}

const MAX_BATCH = 500;

export const dlqReplayCommand: Command = {
  path: ['dlq', 'replay'],
  usage: `${PROGRAM} dlq replay ${FILTER_USAGE} [--dry-run] [--rate N] [--max-replays N] [--json]`,
  help: `Writes dead-letter records back to their source topic (x-dlq-source-topic): original key,
value and headers byte for byte, minus every x-dlq-* header, with x-bridge-replay-count set to
its previous value + 1. Reads the DLQ up to its end when the command starts, so nothing is
replayed twice by one run. The DLQ itself is left as it is: running replay again replays the same
records again (use --since to pick newer failures only).

${FILTER_HELP}
  --dry-run          print what would be replayed; write nothing
  --rate N           at most N records per second (default: as fast as the broker takes them)
  --max-replays N    loop guard: refuse records already replayed N times (default 3)
  --json             one JSON object per line per record, then one with the counts`,

  async run(args, ctx) {
    const flags = parseFlags(args, {
      ...FILTER_FLAGS,
      'dry-run': { type: 'boolean' },
      rate: { type: 'string' },
      'max-replays': { type: 'string' },
      json: { type: 'boolean' },
    });
    const filter = parseFilter(flags, ctx.now());
    const rate = flags.rate === undefined ? undefined : positiveNumber('--rate', flags.rate);
    const maxReplays = integer('--max-replays', flags['max-replays'] ?? '3', 1);
    const dryRun = flags['dry-run'] ?? false;
    const settings = kafkaSettings(ctx.env);
    const dlq = dlqTopic(ctx.env);
    const kafka = createKafka(settings);

    const { read, kept } = await readDlq(kafka, dlq, (e) => matches(filter, e));
    const picked = filter.limit === undefined ? kept : kept.slice(0, filter.limit);
    const counts = {
      replayed: 0,
      loopGuard: 0,
      noSourceTopic: 0,
      filteredOut: read - kept.length,
      overLimit: kept.length - picked.length,
    };
    const report = (action: string, e: DlqEntry, text: string, extra: Record<string, unknown> = {}) => {
      if (flags.json) {
        ctx.out(JSON.stringify({ action, dlq: { partition: e.dlq.partition, offset: e.dlq.offset }, ...extra }));
      } else {
        ctx.out(`${action.padEnd(12)} ${position(e.dlq.partition, e.dlq.offset).padEnd(8)} ${text}`);
      }
    };

    const todo: DlqEntry[] = [];
    for (const e of picked) {
      if (!e.source.topic) {
        counts.noSourceTopic++;
        report('no-source', e, 'has no x-dlq-source-topic header; not replayed');
      } else if (e.replayCount >= maxReplays) {
        counts.loopGuard++;
        report('loop-guard', e, `already replayed ${e.replayCount} times (--max-replays ${maxReplays}); refused`, {
          topic: e.source.topic,
          replayCount: e.replayCount,
        });
      } else {
        todo.push(e);
      }
    }

    const plan = await planReplay(kafka, todo);
    for (const p of plan) {
      const where = `${p.topic}${p.message.partition === undefined ? '' : `/${p.message.partition}`}`;
      const count = p.entry.replayCount + 1;
      report(dryRun ? 'would-replay' : 'replay', p.entry, `-> ${where} (replay ${count} of ${maxReplays})`, {
        topic: p.topic,
        partition: p.message.partition ?? null,
        replayCount: count,
      });
    }
    if (!dryRun && plan.length > 0) {
      await send(kafka, plan, rate, (n) => (counts.replayed += n)).catch((err: unknown) => {
        ctx.err(`replayed ${counts.replayed} of ${plan.length} records before the failure below`);
        throw err;
      });
    }

    summarise(ctx, flags.json ?? false, dryRun, dryRun ? plan.length : counts.replayed, counts, read, dlq);
    return 0;
  },
};

/** Checks every source topic exists before anything is written; picks partitions. */
async function planReplay(kafka: Kafka, entries: DlqEntry[]): Promise<Planned[]> {
  if (entries.length === 0) return [];
  const topics = [...new Set(entries.map((e) => e.source.topic as string))];
  const partitions = await withAdmin(kafka, (admin) => partitionCounts(admin, topics));
  const missing = topics.filter((t) => !partitions.has(t));
  if (missing.length > 0) {
    throw new Error(`source topic(s) ${missing.join(', ')} do not exist; nothing replayed`);
  }
  return entries.map((entry) => {
    const topic = entry.source.topic as string;
    return { entry, topic, message: replayMessage(entry, partitions.get(topic) ?? 0) };
  });
}

/** In DLQ order, idempotent, acknowledged by all in-sync replicas, paced to `rate` per second. */
async function send(kafka: Kafka, plan: Planned[], rate: number | undefined, sent: (n: number) => void) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const chunk = rate === undefined ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.floor(rate / 10)));
    const started = Date.now();
    let done = 0;
    while (done < plan.length) {
      const topic = plan[done].topic;
      let end = done + 1;
      while (end < plan.length && end - done < chunk && plan[end].topic === topic) end++;
      if (rate !== undefined) {
        const wait = started + (done / rate) * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await producer.send({ topic, acks: -1, messages: plan.slice(done, end).map((p) => p.message) });
      sent(end - done);
      done = end;
    }
  } finally {
    await producer.disconnect();
  }
}

function summarise(
  ctx: CliContext,
  json: boolean,
  dryRun: boolean,
  replayed: number,
  counts: { loopGuard: number; noSourceTopic: number; filteredOut: number; overLimit: number },
  read: number,
  dlq: string,
) {
  if (json) {
    const { loopGuard, noSourceTopic, filteredOut, overLimit } = counts;
    ctx.out(JSON.stringify({ summary: { dryRun, replayed, loopGuard, noSourceTopic, filteredOut, overLimit, read } }));
    return;
  }
  ctx.out(
    `${dryRun ? 'dry run, nothing written: would replay' : 'replayed'} ${replayed}, ` +
      `refused by loop guard ${counts.loopGuard}, without source topic ${counts.noSourceTopic}, ` +
      `filtered out ${counts.filteredOut}, over --limit ${counts.overLimit} ` +
      `(${read} records read from ${dlq})`,
  );
}
