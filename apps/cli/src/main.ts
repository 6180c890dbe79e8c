import { runCli } from './cli';
import { processContext } from './process-context';

// kafkajs 2.2.4 schedules a negative delay on Node.js 24 (kafkajs#1751, clamped to 1 ms: harmless);
// the warning would be the only noise on stderr of every command.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning') process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

const run = processContext();
void runCli(process.argv.slice(2), run.ctx).then(async (commandCode) => {
  const code = run.exitCode(commandCode);
  process.exitCode = code;
  await run.flushed();
  // Every client is closed by now; should a library leave a handle open, do not hang on it.
  setTimeout(() => process.exit(code), 5_000).unref();
});
