import { ConfigError } from '@app/config';
import { UsageError } from './args';
import { CliContext, Command, PROGRAM } from './command';
import { dlqListCommand } from './commands/dlq-list.command';
import { dlqReplayCommand } from './commands/dlq-replay.command';
import { integrationCreateCommand } from './commands/integration-create.command';
import { integrationListCommand } from './commands/integration-list.command';
import { sendCommand } from './commands/send.command';
import { describeKafkaError } from '@app/kafka';
import { cliConfig } from './config';

export const COMMANDS: Command[] = [
  dlqListCommand,
  dlqReplayCommand,
  sendCommand,
  integrationCreateCommand,
  integrationListCommand,
];

const HELP_FLAGS = ['--help', '-h'];

function overview(commands: Command[]): string[] {
  return ['usage:', ...commands.map((c) => `  ${c.usage}`), `Run "${PROGRAM} <command> --help" for details.`];
}

/** Runs one command line; resolves with the exit code (0 done, 1 failed, 2 bad arguments). */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const command = COMMANDS.find((c) => c.path.every((word, i) => argv[i] === word));
  if (!command) {
    // A known prefix (`dlq`) shows its commands; anything else is unknown.
    const words = argv.filter((a) => !a.startsWith('-'));
    const family = COMMANDS.filter(
      (c) => words.length > 0 && c.path.slice(0, words.length).join(' ') === words.join(' '),
    );
    const asked = argv.length > 0 && argv.every((a) => HELP_FLAGS.includes(a) || words.includes(a));
    if (asked && argv.some((a) => HELP_FLAGS.includes(a))) {
      overview(family.length > 0 ? family : COMMANDS).forEach((l) => ctx.out(l));
      return 0;
    }
    ctx.err(argv.length === 0 ? 'error: no command given' : `error: unknown command "${argv.join(' ')}"`);
    overview(family.length > 0 ? family : COMMANDS).forEach((l) => ctx.err(l));
    return 2;
  }

  const args = argv.slice(command.path.length);
  if (args.some((a) => HELP_FLAGS.includes(a))) {
    ctx.out(`usage: ${command.usage}`);
    ctx.out('');
    ctx.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.err(`error: ${err.message}`);
      ctx.err(`usage: ${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      ctx.err(`error: invalid configuration: ${err.message}`);
      return 1;
    }
    ctx.err(`error: ${describeKafkaError(err, kafkaOrNothing(ctx))}`);
    return 1;
  }
}

function kafkaOrNothing(ctx: CliContext) {
  try {
    return cliConfig(ctx.env, ['kafka']).kafka;
  } catch {
    return undefined;
  }
}
