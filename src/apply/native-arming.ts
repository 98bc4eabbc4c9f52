// Native arming of failover plans (issue 14). For every member with a plan, a trigger socket
// (netlink/link-trigger.ts) is armed with the plan in wire form: one netlink batch on a
// dedicated request socket (the main client's seqs stay undisturbed; its ACKs are read here
// afterwards), then the first GARP / unsolicited NA of each moved address on the announcer's
// packet socket. The kernel's carrier-loss notification makes the addon send all of it from
// the poll callback, before any JavaScript runs. Every list carries the writer's generation
// cell: invalidate() makes all of them stale at once, and a fire claims it for itself.
import type { Logger } from '../log.js';
import { batchRequest } from '../netlink/client.js';
import { NlConnection } from '../netlink/connection.js';
import { NetlinkError } from '../netlink/errors.js';
import { LinkTrigger } from '../netlink/link-trigger.js';
import { buildGratuitousArp } from '../packet/arp.js';
import { buildUnsolicitedNa } from '../packet/ndisc.js';
import { ETH_P_ARP, ETH_P_IPV6 } from '../sys/constants.js';
import { armedSenderStatus, type ArmedSend, type FireReport, type Socket } from '../sys/socket.js';
import type { Announcement } from './announcer.js';
import type { ArmedPlan } from './writer.js';

/** ACKs for a 256-address batch fit with room to spare. */
const REQUEST_RCVBUF = 4 * 1024 * 1024;

export interface NativeFire {
  plan: ArmedPlan;
  report: FireReport;
  /** The announcements whose first frame went out (sent without error). */
  announced: Announcement[];
  /** One entry per netlink op of the plan: undefined = ACK. */
  acks: Promise<(NetlinkError | undefined)[]>;
}

export interface NativeArmingOptions {
  netns?: string;
  /** The announcer's send-only packet socket: the first frames go out on it. */
  packetSocket: Socket;
  log: Logger;
}

export class NativeArming {
  private readonly triggers = new Map<number, LinkTrigger>();
  /** The netlink seqs of the batch armed on each trigger, released when replaced. */
  private readonly armedSeqs = new Map<number, number[]>();
  private readonly requests: NlConnection;
  private readonly requestSocket: Socket;
  private senderLogged = false;

  constructor(private readonly opts: NativeArmingOptions) {
    this.requests = NlConnection.open({ ...(opts.netns !== undefined ? { netns: opts.netns } : {}), rcvbuf: REQUEST_RCVBUF, strict: true });
    const sock = this.requests.nativeSocket;
    if (!sock) throw new Error('armed request connection has no native socket');
    this.requestSocket = sock;
  }

  /** Members currently armed (by ifindex). */
  armedIndexes(): number[] {
    return [...this.triggers].filter(([, t]) => t.isArmed).map(([i]) => i);
  }

  /**
   * Arms one trigger per plan (`ifindex` is the failing member's), replacing earlier lists;
   * triggers of members without a plan are closed. Returns the ifnames that could not be armed.
   */
  arm(plans: readonly { plan: ArmedPlan; ifindex: number }[], guard: Uint32Array, onFired: (f: NativeFire) => void): string[] {
    const wanted = new Set(plans.map((p) => p.ifindex));
    for (const [index, t] of this.triggers) {
      if (!wanted.has(index)) { t.close(); this.triggers.delete(index); this.release(index); }
    }
    const failed: string[] = [];
    for (const { plan, ifindex } of plans) {
      try {
        this.armOne(plan, ifindex, guard, onFired);
      } catch (err) {
        failed.push(plan.ifname);
        this.opts.log.warn({ err, ifname: plan.ifname }, `cannot arm the native failover for ${plan.ifname}; its JavaScript fast path stays`);
        this.triggers.get(ifindex)?.close();
        this.triggers.delete(ifindex);
      }
    }
    this.logSender();
    return failed;
  }

  /** Once: whether the addon's sender thread got its realtime priority. */
  private logSender(): void {
    const st = armedSenderStatus();
    if (this.senderLogged || !st.started) return;
    this.senderLogged = true;
    if (st.realtime) this.opts.log.debug('armed failovers are sent by a SCHED_FIFO thread');
    // Under the shipped systemd unit (no CAP_SYS_NICE) this is the normal case: say so once.
    else this.opts.log.info({ error: st.error }, `armed failovers are sent by an ordinary-priority thread (SCHED_FIFO refused: ${st.error ?? 'unknown'}); under heavy CPU load the sends can wait`);
  }

  disarmAll(): void {
    for (const [index, t] of this.triggers) { t.disarm(); this.release(index); }
  }

  private release(index: number): void {
    this.requests.releasePrepared(this.armedSeqs.get(index) ?? []);
    this.armedSeqs.delete(index);
  }

  close(): void {
    for (const t of this.triggers.values()) t.close();
    this.triggers.clear();
    this.requests.close();
  }

  /** After the fact: one line with the timing, and a warning for refused changes once the ACKs are in. */
  private logFire(plan: ArmedPlan, report: FireReport, announced: number, acks: Promise<(NetlinkError | undefined)[]>): void {
    const log = this.opts.log;
    const from = report.receivedNs ?? report.wokeNs;
    const lastNs = report.sends.at(-1)?.ns ?? report.startNs;
    const failedSends = report.sends.filter((s) => s.errno !== 0).map((s) => s.code ?? String(s.errno));
    log.info({
      ifname: plan.ifname, changes: plan.ops.length, announced,
      sentUs: Number(lastNs - from) / 1000, wokeNs: String(report.wokeNs), byThread: report.byThread,
      // The netlink batch is applied inside sendmsg, under the kernel's global rtnl lock.
      ...(plan.ops.length > 0 && report.sends[0] ? { netlinkUs: Number(report.sends[0].ns - report.startNs) / 1000 } : {}),
      ...(failedSends.length > 0 ? { failedSends } : {}),
    }, `armed failover for ${plan.ifname} sent by the trigger: ${plan.ops.length} change(s), ${announced} first announcement(s)`);
    acks.then(
      (results) => {
        // EEXIST: the kernel already had it (a duplicate add is refused harmlessly).
        const refused = results.flatMap((e) => (e && e.code !== 'EEXIST' ? [e.code] : []));
        if (refused.length > 0) log.warn({ ifname: plan.ifname, errors: refused }, `armed plan for ${plan.ifname}: ${refused.length} change(s) refused; the ordinary run retries`);
      },
      (err: unknown) => log.error({ err, ifname: plan.ifname }, `armed plan for ${plan.ifname}: no acknowledgement`),
    );
  }

  private armOne(plan: ArmedPlan, ifindex: number, guard: Uint32Array, onFired: (f: NativeFire) => void): void {
    let trigger = this.triggers.get(ifindex);
    if (!trigger) {
      trigger = new LinkTrigger(ifindex, this.opts.netns !== undefined ? { netns: this.opts.netns } : {});
      this.triggers.set(ifindex, trigger);
    }
    this.release(ifindex);
    const batch = plan.ops.length > 0 ? this.requests.prepareBatch(plan.ops.map(batchRequest)) : undefined;
    if (batch) this.armedSeqs.set(ifindex, batch.seqs);
    const sends: ArmedSend[] = [];
    if (batch) sends.push({ socket: this.requestSocket, data: batch.data });
    for (const a of plan.announcements) {
      const frame = a.family === 4 ? buildGratuitousArp(a.mac, a.address) : buildUnsolicitedNa(a.mac, a.address);
      sends.push({ socket: this.opts.packetSocket, data: frame, to: { family: 'packet', protocol: a.family === 4 ? ETH_P_ARP : ETH_P_IPV6, ifindex: a.ifindex } });
    }
    const first = batch ? 1 : 0;
    trigger.arm(sends, (report) => {
      if (!report.fired) return; // stale: the ordinary path handles this change
      // Register for the ACKs now, before the request socket's own poll callback can run.
      const sentErrno = report.sends[0]?.errno ?? 0;
      const acks = !batch ? Promise.resolve([])
        : sentErrno === 0 ? this.requests.expectAcks(batch.seqs, batch.ops)
          : Promise.resolve(batch.seqs.map((seq, i) => new NetlinkError({ errno: sentErrno, seq, operation: `${batch.ops[i] ?? 'armed request'} (armed send)` })));
      const announced = plan.announcements.filter((_, i) => report.sends[first + i]?.errno === 0);
      this.logFire(plan, report, announced.length, acks);
      onFired({ plan, report, announced, acks });
    }, { cell: guard, expect: plan.generation });
  }
}
