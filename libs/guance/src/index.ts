export * from './guance.client';
