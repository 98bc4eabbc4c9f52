// assignAddresses alone: the Clearview/classic spreading table.
import { describe, expect, it } from 'vitest';
import { assignAddresses, type AssignMember } from '../../../src/engine/index.js';

const M = (spec: string): AssignMember[] =>
  // "eth0:A eth1:s eth2:S" — A active, a inactive, S active standby, s inactive standby;
  // suffix "-" = the NIC does not exist, "+" = inactive but its link is up.
  spec.split(' ').map((t) => {
    const [name = '', f = ''] = t.split(':');
    return { name, active: f[0] === 'A' || f[0] === 'S', standby: f[0] === 'S' || f[0] === 's', present: !f.includes('-'), linkUp: f.includes('+') };
  });

describe('assignAddresses', () => {
  it.each([
    ['home when active', 'eth0:A eth1:A', [['a', 'eth0', 'eth1']], true, { a: 'eth0' }],
    ['FAILBACK=no keeps it where it is', 'eth0:A eth1:A', [['a', 'eth0', 'eth1']], false, { a: 'eth1' }],
    ['FAILBACK=no but current inactive: home', 'eth0:A eth1:a', [['a', 'eth0', 'eth1']], false, { a: 'eth0' }],
    ['displaced to active standby', 'eth0:a eth1:A eth2:S', [['a', 'eth0', 'eth0']], true, { a: 'eth2' }],
    ['displaced to fewest', 'eth0:a eth1:A eth2:A', [['a', 'eth0', 'eth0'], ['b', 'eth1', 'eth1']], true, { a: 'eth2', b: 'eth1' }],
    ['one source moves together', 'eth0:a eth1:A eth2:A', [['a', 'eth0', 'eth0'], ['b', 'eth0', 'eth0']], true, { a: 'eth1', b: 'eth1' }],
    ['never placed goes home', 'eth0:A eth1:A', [['a', 'eth1', null]], true, { a: 'eth1' }],
    ['home not a member', 'eth0:A eth1:A', [['a', 'eth9', null]], true, { a: 'eth0' }],
    ['group failed: stays', 'eth0:a eth1:a', [['a', 'eth0', 'eth1']], true, { a: 'eth1' }],
    ['group failed, every link up (targets gone): stays', 'eth0:a+ eth1:a+', [['a', 'eth0', 'eth1']], true, { a: 'eth1' }],
    ['group failed, holder lost its link, another has one: moves there', 'eth0:a+ eth1:a', [['a', 'eth0', 'eth1']], true, { a: 'eth0' }],
    ['group failed, never placed: home', 'eth0:a eth1:a', [['a', 'eth1', null]], true, { a: 'eth1' }],
    ['group failed, holder gone: to a present member with link up', 'eth0:a- eth1:a eth2:a+', [['a', 'eth0', 'eth0']], true, { a: 'eth2' }],
    ['group failed, holder gone, no link up: to a present member', 'eth0:a- eth1:a eth2:a', [['a', 'eth0', 'eth0']], true, { a: 'eth1' }],
    ['group failed, every member gone: stays', 'eth0:a- eth1:a-', [['a', 'eth0', 'eth0']], true, { a: 'eth0' }],
  ] as const)('%s', (_n, members, addrs, failback, expected) => {
    const out = assignAddresses(M(members), addrs.map(([address, home, current]) => ({ address, home, current, up: true })), failback);
    expect(Object.fromEntries([...out].map(([k, v]) => [k, v.nic]))).toEqual(expected);
  });
});
