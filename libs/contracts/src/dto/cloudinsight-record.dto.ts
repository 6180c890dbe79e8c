import { IsDefined, IsNotEmpty, IsString } from 'class-validator';
import { fieldName, isFiniteNumber, isJsonObject, ValidateIssues } from './validation';

/** One Cloud Insight data record: metric and dimension fields, each a string or a number. */
export type CloudInsightData = Record<string, string | number>;

/** Bad fields reported per record, so a huge bad batch still gives a short message. */
const MAX_ISSUES = 5;

function recordIssues(record: unknown, path: string, issues: string[]): void {
  if (!isJsonObject(record)) {
    issues.push(`${path} must be an object of string or number fields`);
    return;
  }
  let fields = 0;
  for (const key in record) {
    fields++;
    const value = record[key];
    if (typeof value !== 'string' && !isFiniteNumber(value)) {
      issues.push(`${path}.${fieldName(key)} must be a string or a finite number`);
      if (issues.length >= MAX_ISSUES) return;
    }
  }
  if (fields === 0) issues.push(`${path} must have at least one field`);
}

/** `data` is one record or a non-empty array of records, every field flat (docs/contract.md). */
function dataIssues(data: unknown, property: string): string[] {
  const issues: string[] = [];
  if (Array.isArray(data)) {
    if (data.length === 0) return [`${property} must not be an empty array`];
    for (let i = 0; i < data.length && issues.length < MAX_ISSUES; i++)
      recordIssues(data[i], `${property}[${i}]`, issues);
  } else if (isJsonObject(data)) {
    recordIssues(data, property, issues);
  } else {
    issues.push(`${property} must be an object or an array of objects`);
  }
  return issues;
}

/** Body of Cloud Insight SendData: `POST /cw_collector/real/data`. */
export class CloudInsightRecordDto {
  /** The API silently discards records without it, so it is checked here. */
  @IsDefined({ message: '$property is required' })
  @IsString({ message: '$property must be a string' })
  @IsNotEmpty({ message: '$property must not be empty' })
  cw_key!: string;

  @IsDefined({ message: '$property is required' })
  @ValidateIssues('cloudInsightData', dataIssues)
  data!: CloudInsightData | CloudInsightData[];
}
