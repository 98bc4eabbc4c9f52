// Every value each state gauge can take, so a scrape shows 0 for the states not held (and
// alerts like `ipmpd_group_state{state="failed"} == 1` work without absent() tricks).
// Kept in step with src/engine/states.ts by the type annotations below.
import type { GroupState, InterfaceState, LinkState, ProbeState } from '../engine/states.js';

export const GROUP_STATES: readonly GroupState[] = ['ok', 'degraded', 'failed'];
export const LINK_STATES: readonly LinkState[] = ['up', 'down', 'unknown'];
export const PROBE_STATES: readonly ProbeState[] = ['ok', 'failed', 'unknown', 'disabled'];
export const INTERFACE_STATES: readonly InterfaceState[] = ['ok', 'failed', 'unknown', 'offline', 'missing'];
