// Membership by name and ifindex: a rename away is a member leaving, a link taking the name joins.
import { describe, expect, it } from 'vitest';
import { MemberLinks } from '../../../src/daemon/member-links.js';
import type { Link } from '../../../src/netlink/types.js';

const link = (index: number, name: string, usable = true): Link => ({
  index, name, flags: 0, up: usable, running: usable, lowerUp: usable, operstate: usable ? 'up' : 'down', carrier: usable, mtu: 1500,
  mac: undefined, master: undefined, kind: 'veth',
});
const view = (...ls: Link[]): Map<number, Link> => new Map(ls.map((l) => [l.index, l]));

describe('MemberLinks', () => {
  it('first observation reports every member, missing ones as missing', () => {
    const m = new MemberLinks();
    m.setMembers(['eth0', 'eth1', 'eht0']);
    expect(m.observe(view(link(2, 'eth0'), link(3, 'eth1', false)))).toEqual([
      { name: 'eth0', verdict: true, was: undefined },
      { name: 'eth1', verdict: false, was: undefined },
      { name: 'eht0', verdict: 'missing', was: undefined },
    ]);
    expect(m.usable()).toEqual(['eth0']);
  });

  it('nothing changed: nothing reported', () => {
    const m = new MemberLinks();
    m.setMembers(['eth0']);
    m.observe(view(link(2, 'eth0')));
    expect(m.observe(view(link(2, 'eth0'), link(9, 'other')))).toEqual([]);
  });

  it('a rename away is the member leaving, with the new name', () => {
    const m = new MemberLinks();
    m.setMembers(['eth1']);
    m.observe(view(link(3, 'eth1')));
    expect(m.observe(view(link(3, 'foo')))).toEqual([{ name: 'eth1', verdict: 'missing', was: true, renamedTo: 'foo' }]);
  });

  it('a rename away while down is still reported (the verdict alone would not change)', () => {
    const m = new MemberLinks();
    m.setMembers(['eth1']);
    m.observe(view(link(3, 'eth1', false)));
    expect(m.observe(view(link(3, 'foo', false)))).toEqual([{ name: 'eth1', verdict: 'missing', was: false, renamedTo: 'foo' }]);
  });

  it('another link taking the name joins, even with the same verdict', () => {
    const m = new MemberLinks();
    m.setMembers(['eth1']);
    m.observe(view(link(3, 'eth1')));
    expect(m.observe(view(link(7, 'eth1')))).toEqual([{ name: 'eth1', verdict: true, was: true, joinedIndex: 7 }]);
  });

  it('a deleted member is missing without a new name', () => {
    const m = new MemberLinks();
    m.setMembers(['eth1']);
    m.observe(view(link(3, 'eth1')));
    expect(m.observe(view())).toEqual([{ name: 'eth1', verdict: 'missing', was: true }]);
  });
});
