import { NestFactory } from '@nestjs/core';
import { DEFAULT_HTTP_PORT } from '@app/config';
import { BridgeModule } from './bridge.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(BridgeModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.HTTP_PORT ?? DEFAULT_HTTP_PORT));
}

void bootstrap();
