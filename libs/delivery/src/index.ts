export * from './target-sender';
