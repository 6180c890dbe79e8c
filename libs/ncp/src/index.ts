export * from './signature-v2';
export * from './ncp-gateway';
export * from './datastream.client';
export * from './cloudinsight.client';
export * from './integration-spec';
