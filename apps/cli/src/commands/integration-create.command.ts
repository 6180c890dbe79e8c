import {
  CloudInsightClient,
  IntegrationSpec,
  IntegrationSummary,
  ProvisioningError,
  validateIntegrationSpec,
} from '@app/ncp';
import { keyValue, parseFlags, requireFlag, UsageError } from '../args';
import { cloudInsightClient } from '../cloudinsight';
import { CliContext, Command, PROGRAM } from '../command';

export const integrationCreateCommand: Command = {
  path: ['cloudinsight', 'integration', 'create'],
  usage: `${PROGRAM} cloudinsight integration create --name N --url U --payload-file F [--header k=v ...] [--dmn-cd PUB]`,
  help: `Creates a Cloud Insight event integration (CreateIntegration, type OUT_GOING) and prints its id
on stdout. CreateIntegration does not refuse a second integration of the same name, so it first
asks for the list of integrations (a call the API documents do not describe): when one of that
name exists, it prints that id and creates nothing. An API without the list call (HTTP 404 or 405)
gets the integration created, with a warning on stderr. Needs NCP_ACCESS_KEY and NCP_SECRET_KEY;
CLOUDINSIGHT_ENDPOINT defaults to https://cw.apigw.ntruss.com, CLOUDINSIGHT_REGION_NO is sent when set.

  --name N           integration name
  --url U            endpoint the events are sent to
  --payload-file F   call payload: JSON with #{VARIABLE} placeholders, at most 15,000 bytes (- reads stdin)
  --header k=v       a call header; repeat for more (at most 10, name + value at most 100 bytes)
  --dmn-cd CODE      x-ncp-dmn_cd domain code (default PUB)`,

  async run(args, ctx) {
    const flags = parseFlags(args, {
      name: { type: 'string' },
      url: { type: 'string' },
      'payload-file': { type: 'string' },
      header: { type: 'string', multiple: true },
      'dmn-cd': { type: 'string' },
    });
    const name = requireFlag(flags.name, '--name');
    const url = requireFlag(flags.url, '--url');
    const payloadFile = requireFlag(flags['payload-file'], '--payload-file');
    const headers = Object.fromEntries((flags.header ?? []).map((h) => keyValue('--header', h)));
    const dmnCd = flags['dmn-cd'] ?? 'PUB';
    if (!/^[A-Z]+$/.test(dmnCd)) throw new UsageError(`--dmn-cd must be a domain code such as PUB (got "${dmnCd}")`);
    const payload = ctx.readFile(payloadFile).toString('utf8');
    const spec: IntegrationSpec = { name, url, payload, headers, type: 'OUT_GOING' };
    try {
      validateIntegrationSpec(spec);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }

    const client = cloudInsightClient(ctx.env);
    try {
      const existing = await integrationNamed(client, name, ctx);
      if (existing) {
        ctx.err(`integration "${name}" exists already; nothing created`);
        ctx.out(existing.integrationId);
        return 0;
      }
      const id = await client.createIntegration(spec, dmnCd);
      ctx.err(`created integration "${name}"`);
      ctx.out(id);
      return 0;
    } finally {
      await client.close();
    }
  },
};

/** The integration of that name, looked up with the list call when the API has one. */
async function integrationNamed(
  client: CloudInsightClient,
  name: string,
  ctx: CliContext,
): Promise<IntegrationSummary | undefined> {
  try {
    return (await client.listIntegrations()).find((i) => i.name === name);
  } catch (err) {
    const status = err instanceof ProvisioningError ? err.status : undefined;
    if (status !== 404 && status !== 405) throw err;
    ctx.err(`the API has no list of integrations (HTTP ${status}): cannot check whether "${name}" exists; creating it`);
    return undefined;
  }
}
