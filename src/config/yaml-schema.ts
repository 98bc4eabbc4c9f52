// The native YAML configuration as a zod schema. Strict objects, so a misspelt key is an
// error rather than a silently ignored setting. Defaults are the Solaris defaults.

import { z } from 'zod';
import { parseCidr, parseIp } from './ip-address.js';
import { LISTEN_HINT, parseListen } from '../metrics/listen.js';
import { STATE_EVENT_KINDS } from './event-kinds.js';
import { DEFAULT_ANNOUNCE, DEFAULT_MPATHD, MIN_FAILURE_DETECTION_TIME } from './model.js';

const cidr = z.string().refine((s) => parseCidr(s) !== null, {
  error: 'expected "address/prefix", e.g. 192.0.2.10/24 or fe80::10/64',
});
const ip = z.string().refine((s) => parseIp(s) !== null, { error: 'expected an IPv4 or IPv6 address without prefix' });
const ms = (min: number) => z.number().int({ error: 'expected a whole number of milliseconds' }).min(min).max(3_600_000);

export const mpathdSchema = z.strictObject({
  failureDetectionTime: ms(MIN_FAILURE_DETECTION_TIME).default(DEFAULT_MPATHD.failureDetectionTime),
  failback: z.boolean().default(DEFAULT_MPATHD.failback),
  trackInterfacesOnlyWithGroups: z.boolean().default(DEFAULT_MPATHD.trackInterfacesOnlyWithGroups),
});

export const interfaceSchema = z.strictObject({
  name: z.string().min(1, { error: 'interface name must not be empty' }),
  solarisName: z.string().optional(),
  standby: z.boolean().default(false),
  testAddresses: z.array(cidr).default([]),
  ipv6LinkLocalTest: z.boolean().optional(),
});

/** A NIC in no group (tracked when trackInterfacesOnlyWithGroups is false): no standby. */
export const anonymousInterfaceSchema = interfaceSchema.omit({ standby: true });

export const dataAddressSchema = z.strictObject({
  address: cidr,
  interface: z.string().min(1),
  deprecated: z.boolean().default(false),
  up: z.boolean().default(true),
});

export const announceSchema = z.strictObject({
  arpCount: z.number().int().min(0).max(20).default(DEFAULT_ANNOUNCE.arpCount),
  arpIntervalMs: ms(100).default(DEFAULT_ANNOUNCE.arpIntervalMs),
  naCount: z.number().int().min(0).max(20).default(DEFAULT_ANNOUNCE.naCount),
  naIntervalMs: ms(100).default(DEFAULT_ANNOUNCE.naIntervalMs),
  refreshMs: ms(1000).optional(),
  failbackGraceMs: z.number().int({ error: 'expected a whole number of milliseconds' }).min(0).max(10_000).default(DEFAULT_ANNOUNCE.failbackGraceMs),
});

export const groupSchema = z.strictObject({
  name: z.string().min(1, { error: 'group name must not be empty' }),
  mode: z.enum(['active-standby', 'outbound-spread']).optional(),
  probe: z.enum(['icmp', 'arp', 'both', 'transitive']).default('icmp'),
  announce: announceSchema.prefault({}),
  interfaces: z.array(interfaceSchema).min(1, { error: 'a group needs at least one interface' }),
  dataAddresses: z.array(dataAddressSchema).default([]),
});

export const daemonSchema = z.strictObject({
  cleanupOnExit: z.boolean().optional(),
  removeAddressesOnExit: z.boolean().optional(),
  quietPeriodMs: ms(0).optional(),
  invariantCheckMs: ms(1000).optional(),
});

/** Opt-in Prometheus endpoint (src/metrics/); off when absent. */
export const metricsSchema = z.strictObject({
  listen: z.string().refine((s) => parseListen(s) !== null, { error: LISTEN_HINT }),
});

export const DEFAULT_HOOK_TIMEOUT_MS = 10_000;

export const hookSchema = z.strictObject({
  exec: z.string().regex(/^\//, { error: 'expected an absolute path to a program' }),
  events: z.array(z.enum(STATE_EVENT_KINDS)).min(1, { error: 'a hook needs at least one event' }),
  timeoutMs: ms(100).default(DEFAULT_HOOK_TIMEOUT_MS),
});

export const configSchema = z.strictObject({
  mpathd: mpathdSchema.prefault({}),
  defaultRouters: z.array(ip).default([]),
  groups: z.array(groupSchema).default([]),
  anonymous: z.array(anonymousInterfaceSchema).optional(),
  daemon: daemonSchema.optional(),
  metrics: metricsSchema.optional(),
  hooks: z.array(hookSchema).max(32).optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ConfigParsed = z.output<typeof configSchema>;
