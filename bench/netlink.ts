// rtnetlink benchmarks, in namespaces created and deleted here:
//  1. event latency: `set down` request on one client → link event in the monitor's JS
//     handler (process.hrtime.bigint), over ≥ 1000 flaps of a veth peer;
//  2. address add+delete throughput, one request at a time vs batched.
import { RtnlClient, type BatchOp } from '../src/netlink/client.js';
import { IFA_F_NODAD, IFA_F_NOPREFIXROUTE } from '../src/netlink/constants.js';
import { type MonitorEvent, RtnlMonitor } from '../src/netlink/monitor.js';
import type { AddressSpec } from '../src/netlink/types.js';
import { gc, nsPath, stats, withNamespaces, writeResult } from './lib.js';

const FLAPS = 1000;
/** IPv6 address insertion in the kernel grows with the per-device count; 1000 is plenty for ipmpd. */
const ADDRS = 1000;
const TIMEOUT_MS = 5000;

function nextEvent(mon: RtnlMonitor, match: (e: MonitorEvent) => boolean): { promise: Promise<bigint>; cancel: () => void } {
  let cancel = (): void => {};
  const promise = new Promise<bigint>((resolve, reject) => {
    const onEvent = (e: MonitorEvent): void => {
      if (!match(e)) return;
      const t = process.hrtime.bigint();
      cancel();
      resolve(t);
    };
    const timer = setTimeout(() => { cancel(); reject(new Error('no matching monitor event within 5 s')); }, TIMEOUT_MS);
    cancel = () => { clearTimeout(timer); mon.off('event', onEvent); };
    mon.on('event', onEvent);
  });
  return { promise, cancel };
}

async function latency(ns: string): Promise<Record<string, unknown>> {
  const client = RtnlClient.open({ netns: nsPath(ns) });
  const mon = await RtnlMonitor.open({ netns: nsPath(ns), routes: false });
  try {
    await client.createVeth('bva', 'bvb');
    const a = await client.getLinkByName('bva');
    const b = await client.getLinkByName('bvb');
    if (!a || !b) throw new Error('veth pair not found after creation');
    await client.setLink(a.index, { up: true });
    const upA = nextEvent(mon, (e) => e.kind === 'link-up' && e.link.index === a.index);
    await client.setLink(b.index, { up: true });
    await upA.promise;

    gc();
    const carrier: number[] = []; // the other end loses RUNNING/LOWER_UP (link-down on bva)
    const own: number[] = []; // the link we set down reports !up (link-changed on bvb)
    for (let i = 0; i < FLAPS; i++) {
      const downA = nextEvent(mon, (e) => e.kind === 'link-down' && e.link.index === a.index);
      const downB = nextEvent(mon, (e) => e.kind === 'link-changed' && e.link.index === b.index && !e.link.up);
      const t0 = process.hrtime.bigint();
      const req = client.setLink(b.index, { up: false });
      const [ta, tb] = await Promise.all([downA.promise, downB.promise, req]);
      carrier.push(Number(ta - t0) / 1e6);
      own.push(Number(tb - t0) / 1e6);
      const up = nextEvent(mon, (e) => e.kind === 'link-up' && e.link.index === a.index);
      await client.setLink(b.index, { up: true });
      await up.promise;
    }
    return {
      flaps: FLAPS,
      peerCarrierLossMs: stats(carrier),
      ownLinkDownMs: stats(own),
      resyncs: mon.resyncs,
    };
  } finally {
    mon.close();
    client.close();
  }
}

async function throughput(ns: string): Promise<Record<string, unknown>> {
  const client = RtnlClient.open({ netns: nsPath(ns) });
  try {
    await client.createVeth('bta', 'btb');
    const link = await client.getLinkByName('bta');
    if (!link) throw new Error('bta not found');
    await client.setLink(link.index, { up: true });
    const specs = (family: 4 | 6, n: number): AddressSpec[] => Array.from({ length: n }, (_, i) => family === 6
      ? { family, index: link.index, address: `2001:db8:${(i >> 12).toString(16)}::${(i & 0xfff).toString(16)}:1`, prefixLen: 64, flags: IFA_F_NODAD | IFA_F_NOPREFIXROUTE }
      : { family, index: link.index, address: `${['192.0.2', '198.51.100', '203.0.113'][Math.floor(i / 250)]}.${(i % 250) + 1}`, prefixLen: 32 });

    const measure = async (label: string, list: AddressSpec[], batched: boolean): Promise<Record<string, number>> => {
      gc();
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      if (batched) {
        const add = await client.batch(list.map((spec): BatchOp => ({ op: 'addAddress', spec })));
        const del = await client.batch(list.map((spec): BatchOp => ({ op: 'deleteAddress', spec })));
        const failed = [...add, ...del].filter(Boolean);
        if (failed.length) throw new Error(`${label}: ${failed.length} failed, first: ${failed[0]?.message}`);
      } else {
        for (const spec of list) await client.addAddress(spec);
        for (const spec of list) await client.deleteAddress(spec);
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // System CPU is the kernel doing the work inside sendmsg; user CPU is ours (JS + addon).
      const cpu = process.cpuUsage(cpu0);
      return {
        changes: list.length * 2, seconds, changesPerSecond: (list.length * 2) / seconds,
        userCpuMs: cpu.user / 1000, systemCpuMs: cpu.system / 1000,
      };
    };

    const v6 = specs(6, ADDRS);
    const v4 = specs(4, 750);
    return {
      ipv6Single: await measure('ipv6 single', v6, false),
      ipv6Batched: await measure('ipv6 batched', v6, true),
      ipv4Single: await measure('ipv4 single', v4, false),
      ipv4Batched: await measure('ipv4 batched', v4, true),
    };
  } finally {
    client.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const result = await withNamespaces(['lat', 'tput'], async (ns) => ({
    eventLatency: await latency(ns.lat as string),
    addressThroughput: await throughput(ns.tput as string),
  }));
  const lat = result.eventLatency as { peerCarrierLossMs: { p50: number; p99: number } };
  const tput = result.addressThroughput as Record<string, { changesPerSecond: number }>;
  const targets = {
    latencyP50Under0_2ms: lat.peerCarrierLossMs.p50 <= 0.2,
    latencyP99Under1ms: lat.peerCarrierLossMs.p99 <= 1,
    ipv4BatchedOver20kPerSecond: (tput.ipv4Batched?.changesPerSecond ?? 0) >= 20_000,
    ipv6BatchedOver20kPerSecond: (tput.ipv6Batched?.changesPerSecond ?? 0) >= 20_000,
  };
  const out = { ...result, targets };
  writeResult('netlink', out);
  return out;
}
