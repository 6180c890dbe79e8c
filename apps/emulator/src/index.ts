export * from './emulator-server';
export * from './faults';
export * from './recorder';
export * from './start-emulator';
