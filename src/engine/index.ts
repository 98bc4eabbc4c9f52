// Public face of the pure IPMP engine.
export { Engine } from './engine.js';
export type {
  AddressPlacement, EngineEvent, EngineReply, EngineResult, GroupPlacement, LogEvent, MemberPlacement,
  Placement, PlacementChange, RoutePlan, RouteNexthop, TestAddressPlacement,
} from './types.js';
export { combineVerdict, type Verdict } from './health.js';
export { LinkWatch, LINK_UP_PERMIN, MSEC_PERMIN, type LinkObservation, type LinkTransition } from './link-watch.js';
export { assignAddresses, type AssignAddress, type AssignMember, type Assignment } from './placement.js';
export { computeRoutes, type RouteAddress, type RouteMember } from './routes.js';
export { parseAddress, networkOf, contains, type Family, type ParsedAddress } from '../net/addr.js';
