export * from './signature-v2';
export * from './ncp-gateway';
export * from './data-stream.client';
export * from './cloud-insight.client';
export * from './integration-spec';
