// A fake rtnetlink kernel for unit tests without root (in the spirit of mdlayher/netlink's
// nltest): links, addresses and routes in memory, batch() applying requests with the kernel's
// errno for the usual refusals, and hooks to refuse chosen requests. It is also the
// ViewSource the writer reads (links and addresses by key), kept current like the monitor.
import type { BatchOp } from '../../src/netlink/client.js';
import { NetlinkError } from '../../src/netlink/errors.js';
import type { Address, Link, Route } from '../../src/netlink/types.js';
import { RT_TABLE_MAIN } from '../../src/netlink/constants.js';

const ERRNO: Record<string, number> = { EEXIST: 17, EADDRNOTAVAIL: 99, ESRCH: 3, ENODEV: 19, EINVAL: 22, EPERM: 1 };

export function fakeLink(index: number, name: string, usable = true): Link {
  return {
    index, name, flags: 0, up: usable, running: usable, lowerUp: usable, operstate: usable ? 'up' : 'down', carrier: usable,
    mtu: 1500, mac: `02:00:00:00:00:${index.toString(16).padStart(2, '0')}`, master: undefined, kind: 'veth',
  };
}

export class FakeKernel {
  readonly links = new Map<number, Link>();
  readonly addresses = new Map<string, Address>();
  routes: Route[] = [];
  /** Every request the kernel received, in order, as text. */
  readonly log: string[] = [];
  /** Return an errno code to refuse a request. */
  refuse: ((op: BatchOp) => string | undefined) | undefined;

  constructor(links: Link[]) {
    for (const l of links) this.links.set(l.index, l);
  }

  addAddress(index: number, local: string, prefixLen = 24, flags = 0): void {
    const family = local.includes(':') ? 6 : 4;
    this.addresses.set(`${index}|${local}`, { family, index, prefixLen, local, address: local, flags, scope: 0, preferredLft: 0xffffffff, validLft: 0xffffffff });
  }

  holders(address: string): string[] {
    return [...this.addresses.values()].filter((a) => a.local === address).map((a) => this.links.get(a.index)?.name ?? `if${a.index}`).sort();
  }

  rename(index: number, name: string): void {
    const l = this.links.get(index);
    if (l) this.links.set(index, { ...l, name });
  }

  batch(ops: readonly BatchOp[]): Promise<(NetlinkError | undefined)[]> {
    return Promise.resolve(ops.map((op) => this.apply(op)));
  }

  listAddresses(): Promise<Address[]> {
    return Promise.resolve([...this.addresses.values()]);
  }

  listRoutes(): Promise<Route[]> {
    return Promise.resolve(this.routes.map((r) => ({ ...r })));
  }

  private apply(op: BatchOp): NetlinkError | undefined {
    const refused = this.refuse?.(op);
    const fail = (code: string): NetlinkError => new NetlinkError({ errno: ERRNO[code] ?? 22, seq: 0, operation: op.op });
    if (refused) return fail(refused);
    switch (op.op) {
      case 'addAddress':
      case 'replaceAddress': {
        const s = op.spec;
        if (!this.links.has(s.index)) return fail('ENODEV');
        const key = `${s.index}|${s.address}`;
        if (op.op === 'addAddress' && this.addresses.has(key)) return fail('EEXIST');
        this.log.push(`add ${s.address} dev ${this.links.get(s.index)?.name}`);
        this.addresses.set(key, {
          family: s.family, index: s.index, prefixLen: s.prefixLen, local: s.address, address: s.address, flags: s.flags ?? 0, scope: 0,
          preferredLft: s.preferredLft ?? 0xffffffff, validLft: s.validLft ?? 0xffffffff,
        });
        return undefined;
      }
      case 'deleteAddress': {
        const key = `${op.spec.index}|${op.spec.address}`;
        if (!this.addresses.delete(key)) return fail('EADDRNOTAVAIL');
        this.log.push(`del ${op.spec.address} dev ${this.links.get(op.spec.index)?.name}`);
        return undefined;
      }
      case 'addRoute':
      case 'replaceRoute': {
        const s = op.spec;
        if (s.prefsrc && ![...this.addresses.values()].some((a) => a.local === s.prefsrc)) return fail('EINVAL');
        this.routes = this.routes.filter((r) => !(r.family === s.family && r.dst === s.dst && r.dstLen === s.dstLen && (r.priority ?? 0) === (s.priority ?? 0)));
        this.routes.push({ table: RT_TABLE_MAIN, protocol: 4, scope: 0, type: 1, dst: undefined, ...s });
        this.log.push(`route ${s.dstLen === 0 ? 'default' : `${s.dst}/${s.dstLen}`}${s.prefsrc ? ` src ${s.prefsrc}` : ''}`);
        return undefined;
      }
      case 'deleteRoute': {
        const s = op.spec;
        const before = this.routes.length;
        this.routes = this.routes.filter((r) => !(r.family === s.family && r.dst === s.dst && r.dstLen === s.dstLen));
        return before === this.routes.length ? fail('ESRCH') : undefined;
      }
      case 'setLink': {
        const l = this.links.get(op.index);
        if (!l) return fail('ENODEV');
        if (op.change.up !== undefined) this.links.set(op.index, { ...l, up: op.change.up });
        return undefined;
      }
    }
  }
}
