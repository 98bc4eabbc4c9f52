// Public face of probe-based failure detection: the ProbeManager (sockets, timers) and the
// pure pieces it is built from (for tests and benchmarks).
export { ProbeManager, type ProbeManagerOptions, type ProbeVerdict } from './manager.js';
export * from './constants.js';
export { RttEstimator } from './rtt.js';
export { ProbeInstance, lossTimeout, type InstanceRuns, type ProbeSlot } from './instance.js';
export { TargetTable, routerCandidates, type Target } from './targets.js';
export { nextVerdict, resetVerdict, INITIAL_VERDICT, type MemberVerdict, type InstanceView } from './verdict.js';
export { GroupFdt } from './fdt.js';
export { JitterSchedule } from './schedule.js';
export { ProbeLog } from './records.js';
export { echoIdentifier } from './sockets.js';
