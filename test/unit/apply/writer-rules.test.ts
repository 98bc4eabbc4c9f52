// The writer's rules as pure functions: copies ipmpd placed on a NIC that left the group are
// removed, an address whose chosen NIC is missing is never deleted elsewhere, a route source
// is always an address present now, and announcements are planned once per address.
import { describe, expect, it } from 'vitest';
import { ownedKey, planAddressChanges, planRouteChanges, type Change } from '../../../src/apply/kernel-diff.js';
import type { Intent } from '../../../src/apply/intent.js';
import { prepareAddressRun } from '../../../src/apply/writer.js';
import { DEFAULT_ANNOUNCE } from '../../../src/config/model.js';
import { IFA_F_NOPREFIXROUTE } from '../../../src/netlink/constants.js';
import type { Address, Link } from '../../../src/netlink/types.js';

const link = (index: number, name: string): Link => ({
  index, name, flags: 0, up: true, running: true, lowerUp: true, operstate: 'up', carrier: true, mtu: 1500,
  mac: `02:00:00:00:00:0${index}`, master: undefined, kind: 'veth',
});
const addr = (index: number, local: string): Address => ({
  family: 4, index, prefixLen: 24, local, address: local, flags: IFA_F_NOPREFIXROUTE, scope: 0, preferredLft: 0xffffffff, validLft: 0xffffffff,
});
const data = (ifname: string, address: string) => ({ group: 'g', ifname, family: 4 as const, address, prefixLen: 24, role: 'data' as const, deprecated: false });
const intent = (addresses: Intent['addresses'], managed = addresses.map((a) => a.address)): Intent => ({
  members: ['eth0', 'eth1'],
  addresses,
  routes: [{ group: 'g', family: 4, dst: '192.0.2.0', dstLen: 24, nexthops: [{ ifname: 'eth0' }], prefsrc: '192.0.2.100' }],
  managed,
});
const text = (cs: Change[]): string[] => cs.map((c) => `${c.kind}:${'ifname' in c ? c.ifname : ''}:${'spec' in c && 'address' in c.spec ? c.spec.address : ''}`);
const LINKS = [link(2, 'eth0'), link(3, 'eth1'), link(4, 'foo')];

describe('planAddressChanges with the placed record', () => {
  const cases: { name: string; intent: Intent; kernel: Address[]; owned: string[]; links?: Link[]; want: string[] }[] = [
    {
      name: 'a copy ipmpd placed on a NIC renamed away is removed after the add on a member',
      intent: intent([data('eth0', '192.0.2.101')]),
      kernel: [addr(4, '192.0.2.101')],
      owned: [ownedKey(4, '192.0.2.101')],
      want: ['add-address:eth0:192.0.2.101', 'delete-address:foo:192.0.2.101'],
    },
    {
      name: 'the same address on a non-member NIC that ipmpd did not place is not touched',
      intent: intent([data('eth0', '192.0.2.101')]),
      kernel: [addr(4, '192.0.2.101')],
      owned: [],
      want: ['add-address:eth0:192.0.2.101'],
    },
    {
      name: 'an address dropped from the configuration is removed where ipmpd placed it',
      intent: intent([data('eth0', '192.0.2.100')]),
      kernel: [addr(2, '192.0.2.100'), addr(3, '192.0.2.102')],
      owned: [ownedKey(3, '192.0.2.102')],
      want: ['delete-address:eth1:192.0.2.102'],
    },
    {
      name: 'an address whose chosen NIC does not exist keeps its copy elsewhere',
      intent: intent([data('eth9', '192.0.2.100')]),
      kernel: [addr(2, '192.0.2.100')],
      owned: [ownedKey(2, '192.0.2.100')],
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(text(planAddressChanges(c.intent, { links: c.links ?? LINKS, addresses: c.kernel, routes: [] }, new Set(c.owned)))).toEqual(c.want);
    });
  }
});

describe('planRouteChanges: the source is an address present now', () => {
  const i = intent([data('eth0', '192.0.2.100'), data('eth1', '192.0.2.101')]);
  const view = { links: LINKS, addresses: [], routes: [] };
  const src = (present: string[] | undefined): string | undefined => {
    const [c] = planRouteChanges(i, view, present === undefined ? undefined : new Set(present));
    return c?.kind === 'replace-route' ? c.spec.prefsrc ?? '(none)' : undefined;
  };
  it('keeps the intended source when it exists', () => expect(src(['192.0.2.100', '192.0.2.101'])).toBe('192.0.2.100'));
  it('falls back to another data address of the group that exists', () => expect(src(['192.0.2.101'])).toBe('192.0.2.101'));
  it('drops the source rather than have the kernel refuse the route', () => expect(src([])).toBe('(none)'));
  it('without a view of the addresses (rehearsal, plan) the intent is used as is', () => expect(src(undefined)).toBe('192.0.2.100'));
});

describe('prepareAddressRun: one announcement builder', () => {
  const announceFor = () => DEFAULT_ANNOUNCE;
  const view = { links: LINKS, addresses: [addr(3, '192.0.2.101')], routes: [] };
  const i = intent([data('eth0', '192.0.2.100'), data('eth1', '192.0.2.101')]);
  it('announces an address that is new where it is', () => {
    const run = prepareAddressRun(i, view, new Set(), announceFor, new Set(), new Set());
    expect(run.announcements.map((a) => `${a.address}@${a.ifname}x${a.count}`)).toEqual(['192.0.2.100@eth0x5']);
  });
  it('does not announce again what an armed plan already announced', () => {
    const run = prepareAddressRun(i, view, new Set(), announceFor, new Set(['192.0.2.100']), new Set());
    expect(run.announcements).toEqual([]);
    expect(text(run.adds)).toEqual(['add-address:eth0:192.0.2.100']);
  });
  it('re-announces an address that did not move when asked (group failure ended, link back)', () => {
    const run = prepareAddressRun(i, view, new Set(), announceFor, new Set(), new Set(['192.0.2.101', '192.0.2.100']));
    expect(run.announcements.map((a) => `${a.address}@${a.ifname}`).sort()).toEqual(['192.0.2.100@eth0', '192.0.2.101@eth1']);
  });
});
