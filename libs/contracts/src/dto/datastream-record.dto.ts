import { IsDefined, IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { Optional, ValidateIssues } from './validation';

/** Largest Data Stream message value, in bytes of UTF-8 (the API's message limit). */
export const DATASTREAM_MAX_VALUE_BYTES = 1024 * 1024;
const MAX_PARTITION = 2 ** 31 - 1;
const PARTITION_RULE = { message: `$property must be an integer between 0 and ${MAX_PARTITION}` };

function valueSizeIssues(value: unknown, property: string): string[] {
  if (typeof value !== 'string') return [];
  // A UTF-8 byte is at least one UTF-16 unit and a unit at most three bytes: most values are decided
  // without counting.
  if (value.length * 3 <= DATASTREAM_MAX_VALUE_BYTES) return [];
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes > DATASTREAM_MAX_VALUE_BYTES
    ? [`${property} must be at most ${DATASTREAM_MAX_VALUE_BYTES} bytes of UTF-8 (got ${bytes})`]
    : [];
}

/** Body of Data Stream Send message (Data Stream API): `POST /api/produce`, one message per call. */
export class DataStreamRecordDto {
  /** The full topic name, with the account's prefix. */
  @IsDefined({ message: '$property is required' })
  @IsString({ message: '$property must be a string' })
  @IsNotEmpty({ message: '$property must not be empty' })
  topic!: string;

  @IsDefined({ message: '$property is required' })
  @IsString({ message: '$property must be a string' })
  key!: string;

  @IsDefined({ message: '$property is required' })
  @IsString({ message: '$property must be a string' })
  @ValidateIssues('maxUtf8Bytes', valueSizeIssues)
  value!: string;

  @Optional()
  @IsInt(PARTITION_RULE)
  @Min(0, PARTITION_RULE)
  @Max(MAX_PARTITION, PARTITION_RULE)
  partition?: number;
}
