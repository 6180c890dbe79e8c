import { NestFactory } from '@nestjs/core';
import { EmulatorModule } from './emulator.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(EmulatorModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.HTTP_PORT ?? 3000));
}

void bootstrap();
