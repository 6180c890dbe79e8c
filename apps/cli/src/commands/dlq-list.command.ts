import { parseFlags } from '../args';
import { Command, OUTPUT_CLOSED, PROGRAM } from '../command';
import { cliConfig } from '../config';
import { FILTER_FLAGS, FILTER_HELP, FILTER_USAGE, matches, parseFilter } from '../dlq/dlq-filter';
import { DlqReader } from '../dlq/dlq-reader';
import { ENTRY_COLUMNS, entryJson, entryRow } from '../dlq/dlq-view';
import { createKafka } from '../kafka';
import { PagedTable } from '../paged-table';
import { count, ofTotal, perSecond, Progress } from '../progress';

export const dlqListCommand: Command = {
  path: ['dlq', 'list'],
  usage: `${PROGRAM} dlq list ${FILTER_USAGE} [--json]`,
  help: `Lists the records of the dead-letter topic (BRIDGE_DLQ_TOPIC, default bridge.dlq), from its
start up to its end when the command starts; it never waits for new records and commits nothing.
Records are printed as they are read, in DLQ order (partition, then offset); memory stays the same
however large the DLQ. On a terminal, a long read shows its progress on stderr.

${FILTER_HELP}
  --json             one JSON object per line with every field; key, value and header values
                     as {"utf8": "..."} when valid UTF-8, else {"base64": "..."}; null stays null`,

  async run(args, ctx) {
    const flags = parseFlags(args, { ...FILTER_FLAGS, json: { type: 'boolean' } });
    const filter = parseFilter(flags, ctx.now());
    const { kafka, dlqTopic } = cliConfig(ctx.env, ['kafka', 'dlqTopic']);

    const reader = new DlqReader(createKafka(kafka), dlqTopic, { signal: ctx.signal });
    const rows = flags.json ? undefined : new PagedTable(ENTRY_COLUMNS, ctx.out);
    let shown = 0;
    const progress = new Progress(
      ctx,
      (s) => `reading ${dlqTopic}: ${ofTotal(reader.read, reader.total)} records, ${perSecond(reader.read, s)}`,
    ).start();
    let complete: boolean;
    try {
      complete = await reader.each(async (entry) => {
        if (!matches(filter, entry)) return true;
        shown++;
        if (rows) rows.add(entryRow(entry));
        else ctx.out(JSON.stringify(entryJson(entry)));
        await ctx.writable();
        return shown !== filter.limit;
      });
    } finally {
      progress.stop();
    }
    rows?.flush();
    if (ctx.signal.reason === OUTPUT_CLOSED) return 0;

    const summary = complete
      ? `${count(shown)} of ${count(reader.read)} records in ${dlqTopic} shown`
      : `shown ${count(shown)}, ${shown === filter.limit ? '--limit reached' : 'stopped'} after reading ` +
        `${ofTotal(reader.read, reader.total)} records in ${dlqTopic}`;
    if (flags.json) ctx.err(summary);
    else ctx.out(summary);
    return 0;
  },
};
