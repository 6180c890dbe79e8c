import type { GuanceMonitor } from '@app/guance';
import { EMULATOR_DEFAULTS, EmulatorServer } from './emulator-server';

// Emulators of the three APIs for `npm run local`, docker compose and the benchmark. Unset keys
// fall back to EMULATOR_DEFAULTS; the bridge must then be configured with the same values.
function monitorsFromEnv(env: NodeJS.ProcessEnv): Record<string, GuanceMonitor> {
  const monitors: Record<string, GuanceMonitor> = env.GUANCE_MONITORS ? JSON.parse(env.GUANCE_MONITORS) : {};
  if (env.GUANCE_SECRET && env.GUANCE_SUB_URI) {
    monitors.default = { secret: env.GUANCE_SECRET, subUri: env.GUANCE_SUB_URI };
  }
  return Object.keys(monitors).length > 0 ? monitors : EMULATOR_DEFAULTS.guanceMonitors;
}

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.EMULATOR_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('EMULATOR_PORT must be a port number');
  const server = new EmulatorServer({
    port,
    host: env.EMULATOR_HOST ?? '0.0.0.0',
    ncp:
      env.NCP_ACCESS_KEY && env.NCP_SECRET_KEY
        ? { accessKey: env.NCP_ACCESS_KEY, secretKey: env.NCP_SECRET_KEY }
        : EMULATOR_DEFAULTS.ncp,
    guanceApiKey: env.GUANCE_API_KEY ?? EMULATOR_DEFAULTS.guanceApiKey,
    guanceMonitors: monitorsFromEnv(env),
    maxStoredEntries: env.EMULATOR_MAX_STORED ? Number(env.EMULATOR_MAX_STORED) : undefined,
    documentedOnly: env.EMULATOR_DOCUMENTED_ONLY === 'true',
  });
  await server.start();
  console.log(`emulator listening on ${env.EMULATOR_HOST ?? '0.0.0.0'}:${server.port}`);
  const stop = (signal: string): void => {
    console.log(`emulator: ${signal}, closing`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`emulator: ${(err as Error).message}`);
  process.exit(1);
});
