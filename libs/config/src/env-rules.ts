import { PropertyRule } from '@app/contracts/dto/validation';
import { SECRET_ENV_VARIABLES } from './env-variables';

const SECRETS = new Set<string>(SECRET_ENV_VARIABLES);
const MAX_ECHO_CHARS = 80;

/** `NAME what (got "value")`, without the value for secrets and URLs that carry credentials. */
export function envMessage(name: string, what: string, value?: unknown): string {
  if (typeof value !== 'string' || SECRETS.has(name) || /\/\/[^/]*@/.test(value)) return `${name} ${what}`;
  const shown = value.length > MAX_ECHO_CHARS ? `${value.slice(0, MAX_ECHO_CHARS)}...` : value;
  // JSON quoting keeps the message on one line whatever the value holds.
  return `${name} ${what} (got ${JSON.stringify(shown)})`;
}

type Env = Record<string, string | undefined>;

/**
 * A rule on one variable's value: undefined when it holds, else what is wrong ("must be ...").
 * Rules see the whole environment (defaults applied), for rules that relate variables.
 */
type EnvCheck = (value: string, env: Env) => string | undefined;

function envRule(name: string, check: EnvCheck, echo = true): PropertyDecorator {
  return PropertyRule(
    name,
    (value, args) =>
      value === undefined || (typeof value === 'string' && check(value, (args?.object ?? {}) as Env) === undefined),
    (args) =>
      envMessage(
        args.property,
        check(args.value as string, args.object as Env) ?? 'is invalid',
        echo ? args.value : undefined,
      ),
  );
}

/** Required when `when(env)` holds; `why` completes "is required ...". */
export function EnvRequired(when: (env: Env) => boolean = () => true, why = ''): PropertyDecorator {
  return PropertyRule(
    'envRequired',
    (value, args) => value !== undefined || !when((args?.object ?? {}) as Env),
    (args) => `${args.property} is required${why ? ` ${why}` : ''}`,
  );
}

/** Set together or not at all with `other` (SASL username and password with the mechanism). */
export function EnvRequiredWith(other: string): PropertyDecorator {
  return PropertyRule(
    'envRequiredWith',
    (value, args) => (value === undefined) === ((args?.object as Env | undefined)?.[other] === undefined),
    (args) =>
      args.value === undefined
        ? `${args.property} is required when ${other} is set`
        : `${args.property} is set but ${other} is not`,
  );
}

export function EnvInteger(min: number, max: number): PropertyDecorator {
  return envRule('envInteger', (value) => {
    const n = /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
    return n >= min && n <= max ? undefined : `must be an integer between ${min} and ${max}`;
  });
}

export function EnvOneOf(values: readonly string[]): PropertyDecorator {
  return envRule('envOneOf', (value) =>
    values.includes(value.toLowerCase()) ? undefined : `must be one of ${values.join(', ')}`,
  );
}

export const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = Object.freeze({
  true: true,
  '1': true,
  false: false,
  '0': false,
});

export function EnvBoolean(): PropertyDecorator {
  return envRule('envBoolean', (value) =>
    value.toLowerCase() in BOOLEAN_WORDS ? undefined : 'must be true, false, 1 or 0',
  );
}

export function EnvMatches(pattern: RegExp, what: string): PropertyDecorator {
  return envRule('envMatches', (value) => (pattern.test(value) ? undefined : what));
}

/** An http(s) base URL: no credentials, query or fragment (paths are kept, trailing slashes dropped). */
export function EnvHttpUrl(): PropertyDecorator {
  return envRule('envHttpUrl', (value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'must be an http(s) URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
    if (url.username || url.password) return 'must not contain credentials';
    if (url.search || url.hash) return 'must not have a query or a fragment';
    return undefined;
  });
}

/** A comma-separated list whose items each pass `item`; `check` sees the whole list. */
export function EnvList(
  item: RegExp,
  itemWhat: string,
  check?: (items: string[], env: Env) => string | undefined,
): PropertyDecorator {
  return envRule('envList', (value, env) => {
    const items = splitList(value);
    if (items.length === 0 || items.some((i) => !item.test(i))) return `must be a comma-separated list of ${itemWhat}`;
    return check?.(items, env);
  });
}

/** A rule of its own (JSON values); `echo` false keeps the value out of the message. */
export function EnvCustom(name: string, check: EnvCheck, echo = true): PropertyDecorator {
  return envRule(name, check, echo);
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
