import type { ConnectionOptions } from 'node:tls';
import { Kafka, KafkaConfig as KafkajsConfig, logLevel, LogEntry, RetryOptions, SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '@app/config';
import { registerCodecs } from './codecs';
import { assertKafkajsPatched } from './patched-kafkajs';

type Log = (obj: Record<string, unknown>, message: string) => void;

/** Where kafkajs's own log lines go (a PinoLogger fits). */
export interface KafkaLogger {
  error: Log;
  warn: Log;
  info: Log;
  debug: Log;
}

export interface KafkaClientOptions {
  /** kafkajs warnings and errors go here; without one kafkajs logs nothing */
  logger?: KafkaLogger;
  connectionTimeout?: number;
  requestTimeout?: number;
  retry?: RetryOptions;
}

const LEVELS: Record<number, keyof KafkaLogger> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** `true`, or TLS options with the CA and client certificate read from the KAFKA_SSL_* files. */
export function tlsOptions(config: Pick<KafkaConfig, 'ssl' | 'tls'>): boolean | ConnectionOptions {
  if (!config.ssl) return false;
  const { ca, cert, key, passphrase } = config.tls ?? {};
  if (ca === undefined && cert === undefined) return true;
  return { ca, cert, key, passphrase };
}

/**
 * The one way this project makes a kafkajs client (bridge, CLI, tests): snappy, lz4 and zstd
 * registered, TLS and SASL from typed config, kafkajs's logs through `options.logger` (kafkajs never
 * logs the password). Refuses to run on an unpatched kafkajs.
 */
export function createKafka(config: KafkaConfig, options: KafkaClientOptions = {}): Kafka {
  assertKafkajsPatched();
  registerCodecs();
  const { logger, ...client } = options;
  const settings: KafkajsConfig = {
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: tlsOptions(config),
    sasl: config.sasl as SASLOptions | undefined,
    ...client,
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
  };
  if (logger) {
    settings.logCreator =
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        logger[LEVELS[level] ?? 'info']({ kafkajs: namespace, ...extra }, message);
      };
  }
  return new Kafka(settings);
}
