import { IsDefined, IsIn, IsString, validateSync, ValidatorOptions } from 'class-validator';
import { ruleCheck } from './rule-check';
import {
  fieldName,
  isFiniteNumber,
  isJsonObject,
  Nested,
  Optional,
  ValidateIssues,
  validationMessages,
} from './validation';

export const GUANCE_STATUSES = ['critical', 'error', 'warning', 'info', 'ok'] as const;
export type GuanceStatus = (typeof GUANCE_STATUSES)[number];

/** The event fields the Guance API documents; every other top-level event field is user-defined. */
export const GUANCE_EVENT_FIELDS: readonly string[] = [
  'date',
  'status',
  'title',
  'message',
  'dimension_tags',
  'check_value',
];
/** Names the Guance API reserves besides the documented fields; user-defined fields must not use them. */
export const GUANCE_RESERVED_FIELDS: readonly string[] = [
  'source',
  'time',
  'time_us',
  'timestamp',
  'workspace_uuid',
  'workspace_name',
  'extra_data',
  'create_time',
];
/** Larger `date` values are taken for milliseconds (1e11 s is the year 5138). */
export const GUANCE_MAX_DATE_SECONDS = 1e11;

const DOCUMENTED = new Set(GUANCE_EVENT_FIELDS);
const RESERVED = new Set(GUANCE_RESERVED_FIELDS);
const MAX_ISSUES = 5;

function dateIssues(date: unknown, property: string): string[] {
  if (typeof date !== 'number' || !Number.isInteger(date)) return [`${property} must be an integer number of seconds`];
  if (date < 0) return [`${property} must not be negative`];
  if (date > GUANCE_MAX_DATE_SECONDS) return [`${property} must be in seconds, not milliseconds (got ${date})`];
  return [];
}

function dimensionTagIssues(tags: unknown, property: string): string[] {
  if (!isJsonObject(tags)) return [`${property} must be an object of string values`];
  const issues: string[] = [];
  for (const key of Object.keys(tags)) {
    if (typeof tags[key] !== 'string') issues.push(`${property}.${fieldName(key)} must be a string`);
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}

function checkValueIssues(value: unknown, property: string): string[] {
  return isFiniteNumber(value) ? [] : [`${property} must be a finite number`];
}

/** Seed 003, "event.{User-defined fields} Restriction Conditions". */
function userFieldIssue(event: Record<string, unknown>, key: string): string | undefined {
  const name = fieldName(key);
  if (RESERVED.has(key)) return `${name} is a reserved field name`;
  if (key.startsWith('_') || key.startsWith('df_')) return `${name} must not start with _ or df_`;
  const tags = event.dimension_tags;
  if (isJsonObject(tags) && Object.prototype.hasOwnProperty.call(tags, key)) {
    return `${name} repeats a dimension_tags key`;
  }
  if (typeof event[key] !== 'string') return `${name} must be a string (user-defined field)`;
  return undefined;
}

/**
 * The event of a push-events body (Guance API). Its documented fields are declared; user-defined
 * fields are own properties too, so the event serialises exactly as it arrived.
 */
export class GuanceEventDto {
  [field: string]: unknown;

  @IsDefined({ message: '$property is required' })
  @IsIn(GUANCE_STATUSES, { message: `$property must be one of ${GUANCE_STATUSES.join(', ')}` })
  status!: GuanceStatus;

  /** Seconds since the epoch. */
  @Optional()
  @ValidateIssues('guanceDate', dateIssues)
  date?: number;

  @Optional()
  @IsString({ message: '$property must be a string' })
  title?: string;

  @Optional()
  @IsString({ message: '$property must be a string' })
  message?: string;

  @Optional()
  @ValidateIssues('guanceDimensionTags', dimensionTagIssues)
  dimension_tags?: Record<string, string>;

  @Optional()
  @ValidateIssues('finiteNumber', checkValueIssues)
  check_value?: number;
}

/** The event is open (user-defined fields), so it is validated without the whitelist. */
const EVENT_VALIDATOR_OPTIONS: ValidatorOptions = Object.freeze({
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
});

/** The event's decorated rules, without class-validator's executor (made when first needed). */
let eventRules: ReturnType<typeof ruleCheck>;

/** Every rule of the Guance API on the event: the documented fields, then the user-defined ones. */
function eventIssues(event: unknown, property: string): string[] {
  if (!(event instanceof GuanceEventDto)) return [`${property} must be an object`];
  eventRules ??= ruleCheck(GuanceEventDto, EVENT_VALIDATOR_OPTIONS);
  const issues = eventRules?.(event) ? [] : validationMessages(validateSync(event, EVENT_VALIDATOR_OPTIONS));
  for (const key of Object.keys(event)) {
    if (issues.length >= MAX_ISSUES) break;
    if (DOCUMENTED.has(key)) continue;
    const issue = userFieldIssue(event, key);
    if (issue) issues.push(issue);
  }
  return issues.map((issue) => `${property}.${issue}`);
}

function extraDataIssues(extraData: unknown, property: string): string[] {
  if (!isJsonObject(extraData)) return [`${property} must be an object`];
  return Object.keys(extraData).length === 0 ? [`${property} must not be empty (leave it out instead)`] : [];
}

/** Body of Guance push-events; the monitor's secret and subUri come from configuration. */
export class GuanceRecordDto {
  @IsDefined({ message: '$property is required' })
  @Nested(() => GuanceEventDto)
  @ValidateIssues('guanceEvent', eventIssues)
  event!: GuanceEventDto;

  /** Ends up in the event's df_meta.extra_data; free-form key/value data. */
  @Optional()
  @ValidateIssues('guanceExtraData', extraDataIssues)
  extraData?: Record<string, unknown>;
}
