export * from './classify';
export * from './exchange';
export * from './pool';
export * from './redact';
export * from './retry-after';
