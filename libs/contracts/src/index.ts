export * from './targets';
export * from './inbound-record';
export * from './send-result';
export * from './dlq';
