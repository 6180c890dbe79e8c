import { validateSync, ValidationError, ValidatorOptions } from 'class-validator';
import { BRIDGE_ENV_VARIABLES, BridgeEnvVariable, ENV_DEFAULTS } from './env-variables';
import { EnvDto } from './env.dto';

/** A bad or missing environment variable. The message is one line naming it, never a secret. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;
type Defaults = Readonly<Partial<Record<BridgeEnvVariable, string>>>;

const ENV_VALIDATOR_OPTIONS: ValidatorOptions = Object.freeze({
  stopAtFirstError: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
});

/** The constraint of `EnvRequired`: what the bridge needs, which a subset states for itself. */
const BRIDGE_PRESENCE_RULE = 'envRequired';

/**
 * The variables a process other than the bridge reads (the command line). Only their errors
 * count. Every rule of EnvDto applies to them (formats, ranges, rules between variables such as
 * the SASL username with the mechanism), except EnvRequired, which says what the bridge needs:
 * the subset says which of its variables must be set instead.
 */
export interface EnvSubset {
  reads: (name: BridgeEnvVariable) => boolean;
  requires?: readonly BridgeEnvVariable[];
  /** Ends "NAME is required ..." for a variable of `requires`, e.g. "for cloudinsight commands". */
  requiredWhy?: string;
  /** Defaults of this process where they differ from the bridge's. */
  defaults?: Defaults;
}

/** The known variables, trimmed, empty ones unset, defaults filled in. */
export function readEnv(env: Env, defaults: Defaults = ENV_DEFAULTS): EnvDto {
  const dto = new EnvDto();
  const fields = dto as unknown as Record<string, string | undefined>;
  for (const name of BRIDGE_ENV_VARIABLES) {
    const value = env[name]?.trim();
    fields[name] = value ? value : defaults[name];
  }
  return dto;
}

/**
 * Validates the environment: every variable (the bridge), or a subset (the command line).
 * Throws a ConfigError naming every bad variable in BRIDGE_ENV_VARIABLES order, on one line,
 * without secret values.
 */
export function validateEnv(env: Env, subset?: EnvSubset): EnvDto {
  const dto = readEnv(env, subset ? { ...ENV_DEFAULTS, ...subset.defaults } : ENV_DEFAULTS);
  const errors = validateSync(dto, ENV_VALIDATOR_OPTIONS);
  const messages = subset ? subsetMessages(dto, errors, subset) : errors.flatMap(constraintMessages);
  if (messages.length > 0) throw new ConfigError(messages.join('; '));
  return dto;
}

function constraintMessages(error: ValidationError): string[] {
  return Object.values(error.constraints ?? {});
}

function subsetMessages(dto: EnvDto, errors: ValidationError[], subset: EnvSubset): string[] {
  const byName = new Map(errors.map((e) => [e.property, e]));
  const fields = dto as unknown as Record<string, string | undefined>;
  return BRIDGE_ENV_VARIABLES.filter(subset.reads).flatMap((name) => {
    if (subset.requires?.includes(name) && fields[name] === undefined) {
      return [`${name} is required${subset.requiredWhy ? ` ${subset.requiredWhy}` : ''}`];
    }
    const { [BRIDGE_PRESENCE_RULE]: _bridgeNeed, ...rest } = byName.get(name)?.constraints ?? {};
    return Object.values(rest);
  });
}
