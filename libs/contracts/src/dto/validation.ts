import { registerDecorator, ValidateIf, ValidationArguments, ValidationError, ValidatorOptions } from 'class-validator';

/**
 * Options every record DTO is validated with: unknown properties are errors, one message per
 * property (the first rule it breaks), and no copies of the record inside the errors.
 */
export const RECORD_VALIDATOR_OPTIONS: ValidatorOptions = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
});

/** At most this many messages are reported for one record; the rest are counted. */
export const MAX_VALIDATION_MESSAGES = 8;
const MAX_KEY_CHARS = 64;

/** The property may be absent; unlike @IsOptional, a null is a value and is validated. */
export const Optional = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** A record DTO class. */
export type DtoClass<T = object> = abstract new () => T;

const NESTED = new WeakMap<object, [property: string, type: () => DtoClass][]>();

/** The property holds an object of another DTO class, which its own rules validate (see instantiate). */
export function Nested(type: () => DtoClass): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    const list = NESTED.get(target) ?? [];
    list.push([String(property), type]);
    NESTED.set(target, list);
  };
}

/**
 * Makes parsed JSON an instance of a DTO class for class-validator, in place: the class becomes the
 * object's prototype, and that of the objects its @Nested properties hold. Nothing is copied, and
 * every field stays as it arrived, in its order.
 */
export function instantiate<T extends object>(dto: DtoClass<T>, json: Record<string, unknown>): T {
  Object.setPrototypeOf(json, dto.prototype);
  for (const [property, type] of NESTED.get(dto.prototype) ?? []) {
    const value = Object.prototype.hasOwnProperty.call(json, property) ? json[property] : undefined;
    if (isJsonObject(value)) instantiate(type(), value);
  }
  return json as T;
}

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A key as it appears in a message: long keys are shortened so messages stay small. */
export function fieldName(key: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = key.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > MAX_KEY_CHARS ? `${printable.slice(0, MAX_KEY_CHARS - 3)}...` : printable;
}

/** Appends a key or an index (`[2]`) to a path. */
export function joinPath(parent: string, relative: string): string {
  if (!parent) return relative;
  return relative.startsWith('[') ? parent + relative : `${parent}.${relative}`;
}

/**
 * Lists what is wrong with a value; each issue is a sentence that starts with the property name
 * (the path relative to the object holding the property), e.g. `data[2].cpu must be ...`.
 */
export type IssueFinder = (value: unknown, property: string, object: object) => string[];

/** A class-validator rule on one property: whether its value holds, and what is wrong when not. */
export function PropertyRule(
  name: string,
  validate: (value: unknown, args: ValidationArguments | undefined, propertyName: string) => boolean,
  message: (args: ValidationArguments) => string,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message },
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => validate(value, args, String(propertyName)),
      },
    });
  };
}

/**
 * A custom rule that may report several issues at once. Valid records cost one call; the issues
 * are listed again only for a failing record, to build its message.
 */
export function ValidateIssues(name: string, find: IssueFinder): PropertyDecorator {
  return PropertyRule(
    name,
    (value, args, propertyName) => find(value, args?.property ?? propertyName, args?.object ?? {}).length === 0,
    (args) => find(args.value, args.property, args.object).join('\n'),
  );
}

/**
 * Flattens class-validator errors into sentences naming the full field path. Messages are written
 * relative to the object that holds the property, so nesting only adds the parent path.
 */
export function validationMessages(errors: readonly ValidationError[], parentPath = ''): string[] {
  const out: string[] = [];
  for (const error of errors) {
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      if (rule === 'whitelistValidation') {
        out.push(joinPath(parentPath, `${fieldName(error.property)} is not an allowed field`));
        continue;
      }
      for (const line of message.split('\n')) if (line) out.push(joinPath(parentPath, line));
    }
    if (error.children?.length) out.push(...validationMessages(error.children, joinPath(parentPath, error.property)));
  }
  return out;
}

/** Joins messages with "; ", keeping at most MAX_VALIDATION_MESSAGES of them. */
export function summarize(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  const shown = unique.slice(0, MAX_VALIDATION_MESSAGES).join('; ');
  const more = unique.length - MAX_VALIDATION_MESSAGES;
  return more > 0 ? `${shown}; and ${more} more` : shown;
}
