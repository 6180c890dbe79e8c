import { EmulatorOptions, EmulatorServer } from './emulator-server';

/** An emulator on 127.0.0.1 and a free port, for tests. Close it with `server.close()`. */
export async function startEmulator(
  opts: Omit<EmulatorOptions, 'host' | 'port'> = {},
): Promise<{ url: string; server: EmulatorServer }> {
  const server = new EmulatorServer({ ...opts, host: '127.0.0.1', port: 0 });
  await server.start();
  return { url: server.url, server };
}
