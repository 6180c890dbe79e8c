// The engine's public API: what the Kafka transport uses. Everything else is internal.
export { TargetPipeline, type DeadLetterTrouble, type PartitionStall } from './target-pipeline';
export type { CircuitCause } from './call-gate';
export type { PipelineEvents, TargetPipelineOptions, TopicPartitionOffset } from './pipeline-options';
export type { BatchContext } from './batch-waiter';
export type { Coalescing, DeadLetter, DeadLetterSink, TargetSender } from './target-sender';
