import type { Type } from '@nestjs/common';
import type { Target } from '@app/contracts';
import { CloudInsightModule } from './cloudinsight/cloudinsight.module';
import { DataStreamModule } from './datastream/datastream.module';
import { GuanceModule } from './guance/guance.module';

/**
 * One module per API: its `@EventPattern(target)` handler with its record binding, and its client.
 * Only the modules of BRIDGE_TARGETS are loaded (the others' credentials may be absent).
 */
export const TARGET_MODULES: Readonly<Record<Target, Type>> = {
  datastream: DataStreamModule,
  cloudinsight: CloudInsightModule,
  guance: GuanceModule,
};
