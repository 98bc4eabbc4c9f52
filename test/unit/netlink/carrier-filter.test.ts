// The trigger socket's BPF program run on encoded rtnetlink messages (real captures and
// generated ones) in the test BPF interpreter: it passes exactly the notifications saying
// one ifindex has become unusable.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { carrierLossFilter, carrierLossProgram } from '../../../src/netlink/carrier-filter.js';
import { AF_UNSPEC, IFF_LOWER_UP, IFF_RUNNING, IFF_UP, RTM_DELLINK, RTM_NEWADDR, RTM_NEWLINK } from '../../../src/netlink/constants.js';
import { encodeLinkMsg } from '../../../src/netlink/link.js';
import { encodeNlMsg, parseNlMsgs } from '../../../src/netlink/nlmsg.js';
import { decodeProgram } from '../../../src/packet/bpf.js';
import { linkUsable } from '../../../src/engine/link-usable.js';
import { runBpf } from '../packet/bpf-vm.js';

const AF_BRIDGE = 7;
const USABLE = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;

function linkMsg(type: number, family: number, index: number, flags: number): Buffer {
  const payload = encodeLinkMsg({ family, ifType: 1, index, flags, change: 0xffffffff, ifname: `eth${index}`, mtu: 1500, unknown: [] });
  return encodeNlMsg(type, 0, 0, payload);
}

const passes = (ifindex: number, msg: Buffer): boolean => runBpf(carrierLossProgram(ifindex), msg) !== 0;

describe('carrier-loss trigger filter', () => {
  it.each([
    ['carrier lost (LOWER_UP clear)', RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP | IFF_RUNNING, true],
    ['not running', RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP | IFF_LOWER_UP, true],
    ['set down', RTM_NEWLINK, AF_UNSPEC, 3, 0x1002, true],
    ['usable', RTM_NEWLINK, AF_UNSPEC, 3, USABLE | 0x1002, false],
    ['another link losing carrier', RTM_NEWLINK, AF_UNSPEC, 4, IFF_UP, false],
    ['ifindex 3 << 8 (byte order)', RTM_NEWLINK, AF_UNSPEC, 3 << 8, IFF_UP, false],
    ['bridge port message', RTM_NEWLINK, AF_BRIDGE, 3, IFF_UP, false],
    ['link deleted', RTM_DELLINK, AF_UNSPEC, 3, 0, false],
    ['address message', RTM_NEWADDR, AF_UNSPEC, 3, 0, false],
  ])('%s → %s', (_what, type, family, index, flags, want) => {
    expect(passes(3, linkMsg(type, family, index, flags))).toBe(want);
  });

  it('drops a message too short to hold ifinfomsg', () => {
    expect(passes(3, linkMsg(RTM_NEWLINK, AF_UNSPEC, 3, IFF_UP).subarray(0, 26))).toBe(false);
  });

  it('passes exactly the RTM_NEWLINK messages linkUsable() would call unusable for its ifindex', () => {
    fc.assert(fc.property(
      fc.constantFrom(RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR), fc.constantFrom(AF_UNSPEC, AF_BRIDGE),
      fc.integer({ min: 1, max: 0x7fffffff }), fc.integer({ min: 1, max: 0x7fffffff }), fc.nat(0xffffffff),
      (type, family, watched, index, flags) => {
        const usable = linkUsable({ up: (flags & IFF_UP) !== 0, running: (flags & IFF_RUNNING) !== 0, lowerUp: (flags & IFF_LOWER_UP) !== 0 });
        const want = type === RTM_NEWLINK && family === AF_UNSPEC && index === watched && !usable;
        expect(passes(watched, linkMsg(type, family, index, flags))).toBe(want);
      },
    ));
  });

  it('on messages the kernel really sent (captured link dump), passes only the watched link once its flags say unusable', () => {
    const capture = JSON.parse(readFileSync(new URL('../../fixtures/netlink/rtnl-capture.json', import.meta.url), 'utf8')) as { captures: { what: string; datagrams: string[] }[] };
    const dump = capture.captures.find((c) => c.what === 'link dump');
    const msgs = (dump?.datagrams ?? []).flatMap((h) => parseNlMsgs(Buffer.from(h, 'hex'))).filter((m) => m.type === RTM_NEWLINK);
    expect(msgs.length).toBeGreaterThan(2);
    for (const m of msgs) {
      const index = m.payload.readInt32LE(4);
      const flags = m.payload.readUInt32LE(8);
      const wire = encodeNlMsg(m.type, m.flags, m.seq, m.payload);
      expect(passes(index, wire)).toBe(m.payload[0] === AF_UNSPEC && (flags & USABLE) !== USABLE);
      expect(passes(index + 1000, wire)).toBe(false);
      const down = Buffer.from(wire);
      down.writeUInt32LE(flags & ~IFF_LOWER_UP, 24);
      expect(passes(index, down)).toBe(m.payload[0] === AF_UNSPEC);
    }
  });

  it('encodes to the kernel layout and refuses a bad ifindex', () => {
    expect(decodeProgram(carrierLossFilter(5))).toEqual(carrierLossProgram(5));
    expect(() => carrierLossProgram(0)).toThrow(/ifindex/);
  });
});
