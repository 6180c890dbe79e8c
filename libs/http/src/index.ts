export * from './classify';
export * from './exchange';
export * from './redact';
export * from './retry-after';
