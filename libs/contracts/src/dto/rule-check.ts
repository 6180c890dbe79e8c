import { getMetadataStorage, ValidationTypes, type ValidationArguments, type ValidatorOptions } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import type { DtoClass } from './validation';

interface Validator {
  metadata: ValidationMetadata;
  instance: { validate(value: unknown, args: ValidationArguments): unknown };
}

interface PropertyRules {
  property: string;
  /** ValidateIf conditions: when one is false, the property is not checked. */
  conditions: ((object: object, value: unknown) => boolean)[];
  validators: Validator[];
}

/** Whether every rule a DTO class declares holds for an object (see ruleCheck). */
export type RuleCheck = (object: object) => boolean;

/**
 * class-validator's rules of a DTO class, run without its executor: for the records that break no
 * rule (nearly all of them), a yes in a fraction of validateSync's time. It runs the same validators
 * (the decorators' own functions, from class-validator's metadata) with the same arguments and the
 * same conditions (ValidateIf), and, with `whitelist`, refuses an own property no rule names, as
 * validateSync does with `forbidNonWhitelisted`. A yes means validateSync finds no error: it runs a
 * subset of these pure validators (stopAtFirstError) on the same values. On a no, validateSync runs
 * and says why. Undefined for a class using what this does not run (async or `each` rules, nested
 * validation, schemas), which then always goes through validateSync.
 */
export function ruleCheck(dto: DtoClass, options: ValidatorOptions): RuleCheck | undefined {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(
    dto as new () => object,
    '',
    options.always ?? false,
    options.strictGroups ?? false,
    options.groups,
  );
  if (metadatas.length === 0) return undefined;
  const byProperty = new Map<string, PropertyRules>();
  for (const metadata of metadatas) {
    if (metadata.each) return undefined;
    let rules = byProperty.get(metadata.propertyName);
    if (rules === undefined) {
      rules = { property: metadata.propertyName, conditions: [], validators: [] };
      byProperty.set(metadata.propertyName, rules);
    }
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      rules.conditions.push(metadata.constraints[0] as PropertyRules['conditions'][number]);
    } else if (metadata.type === ValidationTypes.IS_DEFINED || metadata.type === ValidationTypes.CUSTOM_VALIDATION) {
      for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        if (constraint.async) return undefined;
        rules.validators.push({ metadata, instance: constraint.instance as Validator['instance'] });
      }
    } else if (metadata.type !== ValidationTypes.WHITELIST) {
      return undefined;
    }
  }
  const properties = [...byProperty.values()];
  const allowed = new Set(byProperty.keys());
  const whitelist = options.whitelist === true;
  return (object) => {
    if (whitelist) for (const key of Object.keys(object)) if (!allowed.has(key)) return false;
    const record = object as Record<string, unknown>;
    for (const { property, conditions, validators } of properties) {
      const value = record[property];
      if (!holds(conditions, object, value)) continue;
      for (const { metadata, instance } of validators) {
        const args = {
          targetName: object.constructor ? object.constructor.name : undefined,
          property,
          object,
          value,
          constraints: metadata.constraints,
        } as ValidationArguments;
        // Only `true` counts: anything else (a promise, a truthy value) is left to validateSync.
        if (instance.validate(value, args) !== true) return false;
      }
    }
    return true;
  };
}

function holds(conditions: PropertyRules['conditions'], object: object, value: unknown): boolean {
  for (const condition of conditions) if (!condition(object, value)) return false;
  return true;
}
