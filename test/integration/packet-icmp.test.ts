// Echo probes over raw ICMP sockets against a real peer: our requests are answered (for
// v6 that proves the kernel filled the checksum we left 0), replies parse, and the kernel
// accepts our BPF programs and ICMP(6)_FILTER values and applies them as intended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  icmp6EchoReplyOnly, icmp6FilterEchoReplyOnly, icmpEchoReplyOnly, icmpFilterEchoReplyOnly,
} from '../../src/packet/bpf.js';
import { buildEchoRequest, parseEchoReply, type IcmpFamily } from '../../src/packet/icmp.js';
import {
  AF_INET, AF_INET6, ICMP6_FILTER, ICMP_FILTER, IPPROTO_ICMP, IPPROTO_ICMPV6, SOCK_RAW, SOL_ICMPV6, SOL_RAW, SOL_SOCKET,
  SO_ATTACH_FILTER,
} from '../../src/sys/constants.js';
import type { SockAddr } from '../../src/sys/sockaddr.js';
import { Socket, type Datagram } from '../../src/sys/socket.js';
import { Lab, ip, nsExec, requireNetnsSupport } from '../helpers/netns.js';

const enabled = requireNetnsSupport();

const PEER: Record<IcmpFamily, SockAddr> = {
  4: { family: 'inet', address: '192.0.2.2', port: 0 },
  6: { family: 'inet6', address: '2001:db8::2', port: 0, scopeId: 0 },
};

function collect(s: Socket, ms: number): Promise<Datagram[]> {
  const got: Datagram[] = [];
  const onMessage = (d: Datagram): void => { got.push(d); };
  s.on('message', onMessage);
  return new Promise((resolve) => setTimeout(() => { s.off('message', onMessage); resolve(got); }, ms));
}

describe.runIf(enabled)('ICMP echo over raw sockets', () => {
  const lab = new Lab();
  let a = '';
  const open: Socket[] = [];

  /** Raw ICMP socket in namespace a; `filtered` attaches our ICMP filter and BPF for `id`. */
  function probeSocket(family: IcmpFamily, id: number | undefined): Socket {
    const s = family === 4
      ? new Socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, { netns: lab.path(a) })
      : new Socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, { netns: lab.path(a) });
    open.push(s);
    if (id !== undefined) {
      if (family === 4) {
        s.setOption(SOL_RAW, ICMP_FILTER, icmpFilterEchoReplyOnly());
        s.setOption(SOL_SOCKET, SO_ATTACH_FILTER, icmpEchoReplyOnly(id));
      } else {
        s.setOption(SOL_ICMPV6, ICMP6_FILTER, icmp6FilterEchoReplyOnly());
        s.setOption(SOL_SOCKET, SO_ATTACH_FILTER, icmp6EchoReplyOnly(id));
      }
    }
    s.start();
    return s;
  }

  beforeAll(() => {
    a = lab.ns('a');
    const b = lab.ns('b');
    lab.veth(a, 'va', b, 'vb');
    ip(a, 'addr', 'add', '192.0.2.1/24', 'dev', 'va');
    ip(a, 'addr', 'add', '2001:db8::1/64', 'dev', 'va', 'nodad');
    ip(b, 'addr', 'add', '192.0.2.2/24', 'dev', 'vb');
    ip(b, 'addr', 'add', '2001:db8::2/64', 'dev', 'vb', 'nodad');
    ip(a, 'link', 'set', 'va', 'up');
    ip(b, 'link', 'set', 'vb', 'up');
    // Resolve neighbours and wait for the link to pass traffic, so the single echo each test
    // sends is not lost to a path that is still coming up (bounded: 5 tries each).
    for (const peer of ['192.0.2.2', '2001:db8::2']) {
      let ok = false;
      for (let i = 0; i < 5 && !ok; i++) {
        try { nsExec(a, 'ping', ['-c', '1', '-W', '1', peer]); ok = true; } catch { /* retried */ }
      }
      if (!ok) throw new Error(`lab path to ${peer} never came up`);
    }
  });

  afterAll(() => {
    try {
      for (const s of open) s.close();
    } finally {
      lab.destroy();
    }
  });

  it.each([4, 6] as const)('IPv%i: filtered socket gets exactly its own replies; an unfiltered one sees both', async (family) => {
    const mine = probeSocket(family, 0x4d50);
    const other = probeSocket(family, 0x4d51);
    const unfiltered = probeSocket(family, undefined);
    const payload = Buffer.from('ipmpd-probe');
    const seenMine = collect(mine, 1000);
    const seenAll = collect(unfiltered, 1000);
    mine.send(buildEchoRequest(family, 0x4d50, 7, payload), PEER[family]);
    other.send(buildEchoRequest(family, 0x4d51, 8, payload), PEER[family]);

    const replies = (await seenMine).map((d) => parseEchoReply(family, d.data));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ id: 0x4d50, seq: 7, code: 0 });
    expect(replies[0]?.payload.equals(payload)).toBe(true);
    if (family === 4) expect(replies[0]).toMatchObject({ source: '192.0.2.2', checksumOk: true });

    // Control: without our filters a raw socket gets every echo reply (and, for v6, ND noise).
    const ids = (await seenAll).map((d) => parseEchoReply(family, d.data)?.id).filter((x) => x !== undefined);
    expect(ids).toEqual(expect.arrayContaining([0x4d50, 0x4d51]));
  });
});
