// MemberHwaddrs: only changed hardware addresses reach the engine, in ifindex order.
import { describe, expect, it } from 'vitest';
import { MemberHwaddrs } from '../../../src/daemon/hwaddrs.js';
import type { Link } from '../../../src/netlink/types.js';

const link = (index: number, name: string, mac: string | undefined): Link => ({ index, name, mac } as unknown as Link);
const links = (...l: Link[]): Map<number, Link> => new Map(l.map((x) => [x.index, x]));

describe('MemberHwaddrs', () => {
  it('first call reports every member, lowest ifindex first, missing ones last as null', () => {
    const h = new MemberHwaddrs();
    expect(h.changes(['eth0', 'eth1', 'eth9'], links(link(7, 'eth0', '02:00:00:00:00:0A'), link(3, 'eth1', '02:00:00:00:00:0b')))).toEqual([
      { ifname: 'eth1', mac: '02:00:00:00:00:0b' }, { ifname: 'eth0', mac: '02:00:00:00:00:0a' }, { ifname: 'eth9', mac: null },
    ]);
  });

  it('then only changes; an all-zero address counts as none', () => {
    const h = new MemberHwaddrs();
    h.changes(['eth0', 'eth1'], links(link(2, 'eth0', '02:00:00:00:00:0a'), link(3, 'eth1', '02:00:00:00:00:0b')));
    expect(h.changes(['eth0', 'eth1'], links(link(2, 'eth0', '02:00:00:00:00:0a'), link(3, 'eth1', '02:00:00:00:00:0b')))).toEqual([]);
    expect(h.changes(['eth0', 'eth1'], links(link(2, 'eth0', '02:00:00:00:00:0a'), link(3, 'eth1', '00:00:00:00:00:00')))).toEqual([{ ifname: 'eth1', mac: null }]);
  });

  it('reset() reports everything again', () => {
    const h = new MemberHwaddrs();
    const l = links(link(2, 'eth0', '02:00:00:00:00:0a'));
    h.changes(['eth0'], l);
    h.reset();
    expect(h.changes(['eth0'], l)).toEqual([{ ifname: 'eth0', mac: '02:00:00:00:00:0a' }]);
  });
});
