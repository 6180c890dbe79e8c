import { DynamicModule, Global, Module } from '@nestjs/common';
import type { BridgeConfig } from './bridge-config';

/** Injection token of the BridgeConfig: `@Inject(BRIDGE_CONFIG) config: BridgeConfig`. */
export const BRIDGE_CONFIG = 'BRIDGE_CONFIG';

/**
 * Provides the configuration, everywhere. It is loaded and validated once, before Nest starts
 * (`loadConfigOrExit` in main.ts: a bad value stops the process with one line), and handed in here.
 */
@Global()
@Module({})
export class BridgeConfigModule {
  static forRoot(config: BridgeConfig): DynamicModule {
    return {
      module: BridgeConfigModule,
      providers: [{ provide: BRIDGE_CONFIG, useValue: config }],
      exports: [BRIDGE_CONFIG],
    };
  }
}
