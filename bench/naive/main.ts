// The naive reference: a NestJS microservice on the built-in Kafka transport (ServerKafka) with an
// @EventPattern(topic) handler that awaits one HTTP call per message. Benchmark only, not shipped.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { NaiveModule } from './naive.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(NaiveModule, {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: 'bench-naive', brokers: process.env.KAFKA_BROKERS!.split(',') },
      consumer: { groupId: process.env.NAIVE_GROUP_ID! },
      postfixId: '',
      subscribe: { fromBeginning: true },
    },
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  await app.listen();
  console.log('naive consumer listening');
}

void bootstrap();
