import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@app/config';
import { describeKafkaError } from '@app/kafka';
import { BridgeModule } from './bridge.module';
import { hardenOpsHttp, OPS_HTTP_OPTIONS } from './ops/ops-http';
import { KafkaBridgeServer } from './transport/kafka-bridge.server';

// Validate the environment before anything starts: a bad value exits 1 with one line naming it.
const config = loadConfigOrExit(process.env);

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(BridgeModule.forRoot(config), {
    bufferLogs: true,
    ...OPS_HTTP_OPTIONS,
  });
  hardenOpsHttp(app);
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.connectMicroservice({ strategy: app.get(KafkaBridgeServer) }, { inheritAppConfig: true });

  // The one shutdown path: app.close() runs Nest's lifecycle (the transport drains and commits in
  // beforeApplicationShutdown, see KafkaBridgeServer). Nest's own shutdown hooks would re-raise the
  // signal after closing; the bridge exits 0 instead, and gives up past a hard deadline.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: draining (up to ${config.shutdownTimeoutMs} ms)`);
    setTimeout(() => {
      logger.error('shutdown took too long; exiting without a clean close');
      process.exit(1);
    }, config.shutdownTimeoutMs + 15_000).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(err, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  // All interfaces unless HTTP_HOST names one: kubelet probes the pod's own address.
  await (config.httpHost === undefined ? app.listen(config.httpPort) : app.listen(config.httpPort, config.httpHost));
  logger.log(`ops HTTP on ${await app.getUrl()}: /health/live, /health/ready, /metrics`);
  await app.startAllMicroservices();
}

bootstrap().catch((err: unknown) => {
  console.error(`kafka-ncp-bridge failed to start: ${describeKafkaError(err, config.kafka)}`);
  process.exit(1);
});
