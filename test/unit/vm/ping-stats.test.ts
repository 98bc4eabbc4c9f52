// The VM lab measures a client's outage as the largest gap between ping replies (ping -D).
import { describe, expect, it } from 'vitest';
import { pingStats } from '../../helpers/vm-topology.js';

const reply = (t: string, seq: number): string => `[${t}] 64 bytes from 198.51.100.100: icmp_seq=${seq} ttl=64 time=0.9 ms`;

describe('pingStats', () => {
  it.each([
    {
      name: 'steady replies: the gap is the interval',
      out: ['now 1000.300', 'PING 198.51.100.100 56(84) bytes of data.', reply('1000.000', 1), reply('1000.050', 2), reply('1000.100', 3)],
      want: { replies: 3, maxGapMs: 50, lastReplyAgoMs: 200 },
    },
    {
      name: 'a failover: lost requests and "no answer" lines do not count, the hole does',
      out: ['now 1003.000', reply('1000.000', 1), 'no answer yet for icmp_seq=2', reply('1001.250', 30), reply('1001.300', 31)],
      want: { replies: 3, maxGapMs: 1250, lastReplyAgoMs: 1700 },
    },
    {
      name: 'no reply at all',
      out: ['now 5.0', 'From 198.51.100.50 icmp_seq=1 Destination Host Unreachable'],
      want: { replies: 0, maxGapMs: 0, lastReplyAgoMs: Infinity },
    },
  ])('$name', ({ out, want }) => {
    expect(pingStats(out.join('\n'))).toEqual(want);
  });
});
