import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BridgeConfig } from './bridge-config';
import { BRIDGE_CONFIG, BridgeConfigModule } from './bridge-config.module';
import { loadBridgeConfig } from './load-bridge-config';

@Injectable()
class NeedsConfig {
  constructor(@Inject(BRIDGE_CONFIG) readonly config: BridgeConfig) {}
}

@Module({ providers: [NeedsConfig], exports: [NeedsConfig] })
class ElsewhereModule {}

describe('BridgeConfigModule', () => {
  it('provides the configuration it is given to every module, as the same object', async () => {
    const config = loadBridgeConfig({
      BRIDGE_TOPICS: 'orders',
      BRIDGE_TARGETS: 'datastream',
      NCP_ACCESS_KEY: 'a',
      NCP_SECRET_KEY: 's',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [BridgeConfigModule.forRoot(config), ElsewhereModule],
    }).compile();
    const { config: injected } = moduleRef.get(NeedsConfig);
    expect(injected).toBe(config);
    expect(injected.topics).toEqual(['orders']);
    expect(injected.targets).toEqual(['datastream']);
  });
});
