import { NestFactory } from '@nestjs/core';
import { BridgeModule } from './bridge.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(BridgeModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.HTTP_PORT ?? 3000));
}

void bootstrap();
