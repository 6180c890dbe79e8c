import { NestFactory } from '@nestjs/core';
import { CliModule } from './cli.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(CliModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.HTTP_PORT ?? 3000));
}

void bootstrap();
