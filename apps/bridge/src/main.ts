import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@app/config';
import { BridgeModule } from './bridge.module';
import { KafkaBridgeServer } from './transport/kafka-bridge.server';

async function bootstrap(): Promise<void> {
  // Validate the environment before anything starts: a bad value exits 1 with one line naming it.
  const config = loadConfigOrExit(process.env);
  const app = await NestFactory.create(BridgeModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  app.connectMicroservice({ strategy: app.get(KafkaBridgeServer) }, { inheritAppConfig: true });
  await app.listen(config.httpPort);
  await app.startAllMicroservices();
}

bootstrap().catch((err: unknown) => {
  console.error(`kafka-ncp-bridge failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
