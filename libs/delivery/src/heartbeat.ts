/**
 * kafkajs errors that mean the group is rebalancing or this member must rejoin (kafkajs itself
 * rejoins on them). A heartbeat failing this way is not the batch's problem: the records keep
 * going and the transport drains when kafkajs starts the rebalance.
 */
const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

export function isRebalanceError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE_ERRORS.has(type);
}
