export * from './bridge-config';
