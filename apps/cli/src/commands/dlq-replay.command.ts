import { integer, parseFlags, positiveNumber } from '../args';
import { Command, OUTPUT_CLOSED, PROGRAM } from '../command';
import { cliConfig } from '../config';
import type { DlqEntry } from '../dlq/dlq-entry';
import { FILTER_FLAGS, FILTER_HELP, FILTER_USAGE, matches, parseFilter } from '../dlq/dlq-filter';
import { DlqReader } from '../dlq/dlq-reader';
import { replayMessage } from '../dlq/replay-message';
import { ReplayReport } from '../dlq/replay-report';
import { refusal, ReplayRules, UNFIXABLE_REASONS } from '../dlq/replay-verdict';
import { ReplayWriter } from '../dlq/replay-writer';
import { SourceTopics } from '../dlq/source-topics';
import { createKafka } from '../kafka';
import { count, ofTotal, perSecond, Progress } from '../progress';

export const dlqReplayCommand: Command = {
  path: ['dlq', 'replay'],
  usage: `${PROGRAM} dlq replay ${FILTER_USAGE} [--dry-run] [--rate N] [--max-replays N] [--force] [--json]`,
  help: `Writes dead-letter records back to their source topic (x-dlq-source-topic): original key,
value and headers byte for byte, minus every x-dlq-* header, with x-bridge-replay-count set to
its previous value + 1. Reads the DLQ up to its end when the command starts, so nothing is
replayed twice by one run. The DLQ itself is left as it is: running replay again replays the same
records again (use --since to pick newer failures only).

A line is printed for each record once the broker acknowledged its write, never before. Ctrl-C
stops writing, prints the counts (what was really written) and exits 130.

Records whose reason a replay cannot fix (${UNFIXABLE_REASONS.join(', ')}: the same bytes would fail the
same way) are refused and counted unless --force is given. Use --force after you changed what
made them fail: the routes or BRIDGE_TARGETS (unroutable), or the record contract (malformed,
invalid).

${FILTER_HELP}
  --dry-run          print what would be replayed; write nothing
  --rate N           at most N records per second (default: as fast as the broker takes them);
                     on a terminal, progress shows on stderr while it waits
  --max-replays N    loop guard: refuse records already replayed N times (default 3)
  --force            replay ${UNFIXABLE_REASONS.join(', ')} records too
  --json             one JSON object per line per record, then one with the counts`,

  async run(args, ctx) {
    const flags = parseFlags(args, {
      ...FILTER_FLAGS,
      'dry-run': { type: 'boolean' },
      rate: { type: 'string' },
      'max-replays': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const filter = parseFilter(flags, ctx.now());
    const rate = flags.rate === undefined ? undefined : positiveNumber('--rate', flags.rate);
    const rules: ReplayRules = {
      maxReplays: integer('--max-replays', flags['max-replays'] ?? '3', 1),
      force: flags.force ?? false,
    };
    const dryRun = flags['dry-run'] ?? false;
    const { kafka: kafkaConfig, dlqTopic } = cliConfig(ctx.env, ['kafka', 'dlqTopic']);
    const kafka = createKafka(kafkaConfig);

    const report = new ReplayReport(ctx, flags.json ?? false, rules.maxReplays);
    const reader = new DlqReader(kafka, dlqTopic, { signal: ctx.signal });
    const sources = new SourceTopics(kafka);
    const writer = dryRun
      ? undefined
      : new ReplayWriter(kafka, {
          rate,
          signal: ctx.signal,
          written: (batch) => batch.forEach((p) => report.replayed(p)),
        });
    const replay = async (entry: DlqEntry) => {
      const refused = refusal(entry, rules);
      if (refused) return report.refused(entry, refused.refusal, refused.why);
      const topic = entry.source.topic as string;
      const partitions = await sources.partitions(topic);
      if (partitions === undefined) return report.missingTopic(entry, topic);
      const planned = { entry, topic, message: replayMessage(entry, partitions) };
      if (writer) await writer.add(planned);
      else report.replayed(planned, true);
    };

    let picked = 0;
    const progress = new Progress(ctx, (s) => {
      const written = count(report.counts.replayed);
      const pace = `${perSecond(report.counts.replayed, s)}${rate === undefined ? '' : `, --rate ${rate}`}`;
      const done = `${dryRun ? 'would write' : 'written'} ${written}`;
      return `replaying from ${dlqTopic}: read ${ofTotal(reader.read, reader.total)}, ${done} (${pace})`;
    }).start();
    try {
      await writer?.connect();
      await reader.each(async (entry) => {
        if (!matches(filter, entry)) {
          report.counts.filteredOut++;
          return true;
        }
        picked++;
        await replay(entry);
        await ctx.writable();
        return picked !== filter.limit;
      });
      await writer?.flush();
    } catch (err) {
      if (writer?.count) ctx.err(`replayed ${writer.count} records before the failure below`);
      throw err;
    } finally {
      progress.stop();
      await writer?.close();
    }

    // With stdout gone, what was written is still worth a line on stderr.
    report.summary(ctx.signal.reason === OUTPUT_CLOSED ? ctx.err : ctx.out, {
      dryRun,
      interrupted: ctx.signal.aborted,
      limitReached: picked === filter.limit,
      read: reader.read,
      total: reader.total,
      dlq: dlqTopic,
    });
    return report.counts.missingTopic > 0 ? 1 : 0;
  },
};
