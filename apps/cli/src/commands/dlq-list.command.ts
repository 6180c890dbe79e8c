import { parseFlags } from '../args';
import { dlqTopic, kafkaSettings } from '../cli-env';
import { Command, PROGRAM } from '../command';
import { FILTER_FLAGS, FILTER_HELP, FILTER_USAGE, matches, parseFilter } from '../dlq/dlq-filter';
import { readDlq } from '../dlq/dlq-reader';
import { ENTRY_COLUMNS, entryJson, entryRow } from '../dlq/dlq-view';
import { createKafka } from '../kafka';
import { table } from '../output';

export const dlqListCommand: Command = {
  path: ['dlq', 'list'],
  usage: `${PROGRAM} dlq list ${FILTER_USAGE} [--json]`,
  help: `Lists the records of the dead-letter topic (BRIDGE_DLQ_TOPIC, default bridge.dlq), from its
start up to its end when the command starts; it never waits for new records and commits nothing.

${FILTER_HELP}
  --json             one JSON object per line with every field; key, value and header values
                     as {"utf8": "..."} when valid UTF-8, else {"base64": "..."}; null stays null`,

  async run(args, ctx) {
    const flags = parseFlags(args, { ...FILTER_FLAGS, json: { type: 'boolean' } });
    const filter = parseFilter(flags, ctx.now());
    const settings = kafkaSettings(ctx.env);
    const topic = dlqTopic(ctx.env);

    const { read, kept } = await readDlq(createKafka(settings), topic, (e) => matches(filter, e));
    const shown = filter.limit === undefined ? kept : kept.slice(0, filter.limit);
    const summary = `${shown.length} of ${read} records in ${topic} shown (${kept.length} matched)`;
    if (flags.json) {
      for (const e of shown) ctx.out(JSON.stringify(entryJson(e)));
      ctx.err(summary);
    } else {
      if (shown.length > 0) table(ENTRY_COLUMNS, shown.map(entryRow)).forEach((l) => ctx.out(l));
      ctx.out(summary);
    }
    return 0;
  },
};
