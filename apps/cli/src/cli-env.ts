import { DEFAULT_ROUTE_HEADER } from '@app/contracts/targets';
import type { SASLOptions } from 'kafkajs';

/** A bad or missing environment variable: one line naming it, exit code 1 (SPEC section 5). */
export class ConfigError extends Error {}

/** Kafka connection settings, from the same variables as the bridge. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl?: SASLOptions;
}

export interface NcpSettings {
  accessKey: string;
  secretKey: string;
  endpoint: string;
  regionNo?: string;
}

type Env = Record<string, string | undefined>;

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

function text(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function required(env: Env, name: string, why: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set (${why})`);
  return value;
}

function list(env: Env, name: string, fallback: string): string[] {
  const items = text(env, name, fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new ConfigError(`${name} must name at least one entry`);
  return items;
}

function flag(env: Env, name: string): boolean {
  const value = text(env, name, 'false').toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false`);
}

export function kafkaSettings(env: Env): KafkaSettings {
  const settings: KafkaSettings = {
    brokers: list(env, 'KAFKA_BROKERS', 'localhost:9092'),
    clientId: text(env, 'KAFKA_CLIENT_ID', 'kafka-ncp-bridge-cli'),
    ssl: flag(env, 'KAFKA_SSL'),
  };
  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (mechanism) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      throw new ConfigError(`KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}`);
    }
    const username = required(env, 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_MECHANISM is set');
    const password = required(env, 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_MECHANISM is set');
    settings.sasl = { mechanism: mechanism as (typeof SASL_MECHANISMS)[number], username, password } as SASLOptions;
  }
  return settings;
}

export function dlqTopic(env: Env): string {
  return text(env, 'BRIDGE_DLQ_TOPIC', 'bridge.dlq');
}

export function routeHeader(env: Env): string {
  return text(env, 'BRIDGE_ROUTE_HEADER', DEFAULT_ROUTE_HEADER);
}

/** BRIDGE_TOPICS, or an empty list when unset (the CLI does not need it). */
export function bridgeTopics(env: Env): string[] {
  return (env.BRIDGE_TOPICS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function ncpSettings(env: Env): NcpSettings {
  const endpoint = text(env, 'CLOUDINSIGHT_ENDPOINT', 'https://cw.apigw.ntruss.com');
  if (!URL.canParse(endpoint)) throw new ConfigError('CLOUDINSIGHT_ENDPOINT must be an absolute URL');
  const regionNo = env.CLOUDINSIGHT_REGION_NO?.trim();
  return {
    accessKey: required(env, 'NCP_ACCESS_KEY', 'Cloud Insight needs sub account keys'),
    secretKey: required(env, 'NCP_SECRET_KEY', 'Cloud Insight needs sub account keys'),
    endpoint,
    ...(regionNo ? { regionNo } : {}),
  };
}
