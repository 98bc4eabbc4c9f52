// The state events an operator can subscribe to (hooks in the configuration, ipmpctl monitor).
// The vocabulary lives here so the configuration does not depend on the daemon that emits them.
export const STATE_EVENT_KINDS = [
  'failover', 'failback', 'address-moved', 'interface-failed', 'interface-repaired',
  'group-failed', 'group-repaired', 'offline', 'online', 'duplicate-address',
] as const;
export type StateEventKind = (typeof STATE_EVENT_KINDS)[number];
