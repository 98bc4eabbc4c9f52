// The monitor's model of kernel state (links, addresses, routes) and the pure rules that
// update it from notifications, including IPv4 route flushes the kernel does not announce.
import { IFA_F_DADFAILED, IFA_F_OPTIMISTIC, IFA_F_TENTATIVE, RT_SCOPE_HOST } from './constants.js';
import type { Address, Link, Route } from './types.js';

export type MonitorEvent =
  | { kind: 'link-added' | 'link-changed' | 'link-removed'; link: Link; previous?: Link }
  | { kind: 'link-up' | 'link-down'; link: Link; previous?: Link }
  | { kind: 'address-added' | 'address-removed'; address: Address; previous?: Address }
  | { kind: 'route-added' | 'route-removed'; route: Route; previous?: Route };

/** Identity of an address as the kernel sees it: family, interface, local/prefix (and peer). */
export function addressKey(a: Pick<Address, 'family' | 'index' | 'local' | 'prefixLen' | 'address'>): string {
  const peer = a.address !== undefined && a.address !== a.local ? ` peer ${a.address}` : '';
  return `${a.family} ${a.index} ${a.local}/${a.prefixLen}${peer}`;
}

/** What the kernel matches on for replace: family, table, destination, tos, metric. */
export function routeIdentity(r: Pick<Route, 'family' | 'table' | 'dst' | 'dstLen' | 'tos' | 'priority'>): string {
  const dst = r.dst ?? (r.family === 4 ? '0.0.0.0' : '::');
  return `${r.family} ${r.table} ${dst}/${r.dstLen} tos ${r.tos ?? 0} metric ${r.priority ?? 0}`;
}

/**
 * Key of a route in the view: its identity, plus the device for routes without any gateway,
 * because the kernel keeps one such route per device (e.g. a prefix on two links, fe80::/64).
 */
export function routeKey(r: Pick<Route, 'family' | 'table' | 'dst' | 'dstLen' | 'tos' | 'priority' | 'gateway' | 'nexthops' | 'oif'>): string {
  const deviceRoute = r.gateway === undefined && r.nexthops === undefined && r.oif !== undefined;
  return deviceRoute ? `${routeIdentity(r)} dev ${r.oif}` : routeIdentity(r);
}

/** Monitor event of one kind, e.g. EventOf<'link-up'>. */
export type EventOf<K extends MonitorEvent['kind']> = MonitorEvent & { kind: K };

/** Structural equality of plain data (records, arrays, primitives; undefined members ignored). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * An IPv6 address still in DAD: dumps list it, but the kernel announces it only once DAD
 * completes (or fails), so the view leaves it out until then, as a notification-fed view must.
 */
export const awaitingDad = (a: Address): boolean =>
  a.family === 6 && (a.flags & IFA_F_TENTATIVE) !== 0 && (a.flags & (IFA_F_OPTIMISTIC | IFA_F_DADFAILED)) === 0;

const routeDevs = (r: Route): number[] =>
  r.nexthops ? r.nexthops.map((n) => n.ifindex) : r.oif !== undefined ? [r.oif] : [];

export class View {
  readonly links = new Map<number, Link>();
  readonly addresses = new Map<string, Address>();
  readonly routes = new Map<string, Route>();

  upsertLink(link: Link): MonitorEvent[] {
    const previous = this.links.get(link.index);
    this.links.set(link.index, link);
    if (!previous) return [{ kind: 'link-added', link }];
    if (sameData(previous, link)) return [];
    const out: MonitorEvent[] = [{ kind: 'link-changed', link, previous }];
    if (previous.running !== link.running) out.push({ kind: link.running ? 'link-up' : 'link-down', link, previous });
    // IPv4 silently flushes routes through a device that goes administratively down.
    if (previous.up && !link.up) out.push(...this.flushDeadIpv4Routes(link.index, false));
    return out;
  }

  removeLink(link: Link): MonitorEvent[] {
    const out: MonitorEvent[] = [];
    // Unregistering a device removes everything on it; IPv4 route removals are not announced.
    for (const [key, r] of this.routes) {
      const devs = routeDevs(r);
      const gone = r.family === 4 ? devs.includes(link.index) : devs.length > 0 && devs.every((d) => d === link.index);
      if (gone) { this.routes.delete(key); out.push({ kind: 'route-removed', route: r }); }
    }
    for (const [key, a] of this.addresses) {
      if (a.index === link.index) { this.addresses.delete(key); out.push({ kind: 'address-removed', address: a }); }
    }
    const had = this.links.get(link.index);
    this.links.delete(link.index);
    out.push({ kind: 'link-removed', link: had ?? link });
    return out;
  }

  upsertAddress(address: Address): MonitorEvent[] {
    if (awaitingDad(address)) return this.removeAddress(address);
    const key = addressKey(address);
    const previous = this.addresses.get(key);
    this.addresses.set(key, address);
    if (previous && sameData(previous, address)) return [];
    return [previous ? { kind: 'address-added', address, previous } : { kind: 'address-added', address }];
  }

  removeAddress(address: Address): MonitorEvent[] {
    const key = addressKey(address);
    const had = this.addresses.get(key);
    if (!had) return [];
    this.addresses.delete(key);
    const out: MonitorEvent[] = [{ kind: 'address-removed', address: had }];
    // Last IPv4 address gone: the kernel disables IPv4 on the device and flushes its routes.
    if (address.family === 4 && !this.hasIpv4(address.index)) out.push(...this.flushDeadIpv4Routes(address.index, true));
    return out;
  }

  /** `replaced`: the notification carried NLM_F_REPLACE, so same-identity routes are gone. */
  upsertRoute(route: Route, replaced = false): MonitorEvent[] {
    const key = routeKey(route);
    const out: MonitorEvent[] = [];
    let previous = this.routes.get(key);
    if (replaced) {
      const id = routeIdentity(route);
      for (const [k, r] of this.routes) {
        if (k === key || routeIdentity(r) !== id) continue;
        this.routes.delete(k);
        // Reported as the previous state of the replacement when the key changed with it.
        if (previous === undefined) previous = r;
        else out.push({ kind: 'route-removed', route: r });
      }
    }
    this.routes.set(key, route);
    if (previous && sameData(previous, route)) return out;
    out.push(previous ? { kind: 'route-added', route, previous } : { kind: 'route-added', route });
    return out;
  }

  removeRoute(route: Route): MonitorEvent[] {
    const key = routeKey(route);
    const had = this.routes.get(key);
    if (!had) return [];
    this.routes.delete(key);
    return [{ kind: 'route-removed', route: had }];
  }

  private hasIpv4(index: number): boolean {
    for (const a of this.addresses.values()) if (a.family === 4 && a.index === index) return true;
    return false;
  }

  /**
   * Mirrors fib_sync_down_dev + fib_flush for device `dev`: an IPv4 route through it dies when
   * all its nexthops are dead. On a plain "down" (not forced) host-scope routes, i.e. local
   * addresses, survive; losing the last IPv4 address (forced) kills everything on the device.
   */
  private flushDeadIpv4Routes(dev: number, forced: boolean): MonitorEvent[] {
    const out: MonitorEvent[] = [];
    for (const [key, r] of this.routes) {
      if (r.family !== 4) continue;
      const devs = routeDevs(r);
      if (!devs.includes(dev)) continue;
      const host = r.scope === RT_SCOPE_HOST;
      const dead = (d: number): boolean =>
        d === dev ? forced || !host : (!(this.links.get(d)?.up ?? false) && !host) || !this.hasIpv4(d);
      if (!devs.every(dead)) continue;
      this.routes.delete(key);
      out.push({ kind: 'route-removed', route: r });
    }
    return out;
  }
}

/** Events that turn `from` into `to`: what a resync reports. */
export function diffViews(from: View, to: View): MonitorEvent[] {
  const out: MonitorEvent[] = [];
  for (const [i, link] of to.links) {
    const previous = from.links.get(i);
    if (!previous) out.push({ kind: 'link-added', link });
    else if (!sameData(previous, link)) {
      out.push({ kind: 'link-changed', link, previous });
      if (previous.running !== link.running) out.push({ kind: link.running ? 'link-up' : 'link-down', link, previous });
    }
  }
  for (const [k, route] of from.routes) if (!to.routes.has(k)) out.push({ kind: 'route-removed', route });
  for (const [k, address] of from.addresses) if (!to.addresses.has(k)) out.push({ kind: 'address-removed', address });
  for (const [k, address] of to.addresses) {
    const previous = from.addresses.get(k);
    if (!previous) out.push({ kind: 'address-added', address });
    else if (!sameData(previous, address)) out.push({ kind: 'address-added', address, previous });
  }
  for (const [k, route] of to.routes) {
    const previous = from.routes.get(k);
    if (!previous) out.push({ kind: 'route-added', route });
    else if (!sameData(previous, route)) out.push({ kind: 'route-added', route, previous });
  }
  for (const [i, link] of from.links) if (!to.links.has(i)) out.push({ kind: 'link-removed', link });
  return out;
}
