import { describe, expect, it } from 'vitest';
import { contains, networkOf, parseAddress } from '../../../src/engine/index.js';

describe('address helpers', () => {
  it.each([
    ['192.0.2.10/24', 4, '192.0.2.10', 24, '192.0.2.0/24'],
    ['198.51.100.7', 4, '198.51.100.7', 32, '198.51.100.7/32'],
    ['2001:DB8::10/64', 6, '2001:db8::10', 64, '2001:db8::/64'],
    ['2001:db8:0:0:1:0:0:1/48', 6, '2001:db8::1:0:0:1', 48, '2001:db8::/48'],
    ['fe80::1%eth0/64', 6, 'fe80::1', 64, 'fe80::/64'],
    ['::ffff:192.0.2.1/96', 6, '::ffff:c000:201', 96, '::ffff:0:0/96'],
    ['::/0', 6, '::', 0, '::/0'],
  ] as const)('%s', (text, family, address, prefixLen, net) => {
    const p = parseAddress(text);
    expect(p).toMatchObject({ family, address, prefixLen });
    expect(networkOf(p!)).toBe(net);
  });

  it.each(['192.0.2.256/24', '192.0.2.1/33', '1.2.3', '2001:db8::1::2', '2001:db8::/129', 'x', '1.2.3.4/24/1', '1:2:3:4:5:6:7:8:9'])(
    'rejects %s', (t) => expect(parseAddress(t)).toBeUndefined(),
  );

  it('containment', () => {
    expect(contains(parseAddress('192.0.2.0/24')!, parseAddress('192.0.2.200')!)).toBe(true);
    expect(contains(parseAddress('192.0.2.0/25')!, parseAddress('192.0.2.200')!)).toBe(false);
    expect(contains(parseAddress('2001:db8::/32')!, parseAddress('192.0.2.1')!)).toBe(false);
  });
});
