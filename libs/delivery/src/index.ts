export * from './target-sender';
export * from './scheduler';
export * from './retry-policy';
export * from './offset-tracker';
export * from './pipeline-types';
export * from './heartbeat';
export * from './target-pipeline';
