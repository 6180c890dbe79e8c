import { parseFlags } from '../args';
import { cloudInsightClient } from '../cloudinsight';
import { Command, PROGRAM } from '../command';
import { cell, table } from '../output';

export const integrationListCommand: Command = {
  path: ['cloudinsight', 'integration', 'list'],
  usage: `${PROGRAM} cloudinsight integration list [--json]`,
  help: `Lists the Cloud Insight event integrations: id, name, type and url. Needs NCP_ACCESS_KEY and
NCP_SECRET_KEY; CLOUDINSIGHT_ENDPOINT defaults to https://cw.apigw.ntruss.com.

  --json   one JSON object per line, as the API answers it`,

  async run(args, ctx) {
    const flags = parseFlags(args, { json: { type: 'boolean' } });
    const client = cloudInsightClient(ctx.env);
    try {
      const integrations = await client.listIntegrations();
      if (flags.json) {
        for (const i of integrations) ctx.out(JSON.stringify(i));
      } else if (integrations.length === 0) {
        ctx.out('no integrations');
      } else {
        const rows = integrations.map((i) => [cell(i.integrationId), cell(i.name), cell(i.type), cell(i.url)]);
        table(['ID', 'NAME', 'TYPE', 'URL'], rows).forEach((l) => ctx.out(l));
      }
      return 0;
    } finally {
      await client.close();
    }
  },
};
