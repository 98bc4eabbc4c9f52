// Public face of the rtnetlink layer.
export * from './constants.js';
export type * from './types.js';
export { NetlinkError, NetlinkDecodeError, errnoCode } from './errors.js';
export { RtnlClient, type BatchOp, type RtnlClientOptions, type MacvlanMode } from './client.js';
export { RtnlMonitor, addressKey, routeIdentity, routeKey, type EventOf, type MonitorEvent, type ResyncInfo, type RtnlMonitorOptions } from './monitor.js';
