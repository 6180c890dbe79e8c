import { ConfigPart, ConfigParts, loadConfigParts } from '@app/config';

/**
 * The CLI's own client id when KAFKA_CLIENT_ID is unset, so that brokers (request logs, client
 * quotas, audit of ACLs) tell its short-lived connections from the bridge's.
 */
const CLI_DEFAULTS = { KAFKA_CLIENT_ID: 'kafka-ncp-bridge-cli' };

/** The parts of the bridge's configuration a command needs, read and validated as the bridge does. */
export function cliConfig<P extends ConfigPart>(
  env: Record<string, string | undefined>,
  parts: readonly P[],
  requiredWhy?: string,
): Pick<ConfigParts, P> {
  return loadConfigParts(env, parts, { defaults: CLI_DEFAULTS, requiredWhy });
}
