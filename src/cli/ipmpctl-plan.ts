// ipmpctl plan PATH: the exact changes (sysctls, links, addresses, routes) that applying PATH
// would make on this host now — computed by the daemon's own engine and diff, applied never.
import { parseArgs } from 'node:util';
import { planAddressChanges, planRouteChanges, describeChange, type Change } from '../apply/kernel-diff.js';
import { intentFromPlacement } from '../apply/from-placement.js';
import { globalSysctls, memberSysctls, readSysctl } from '../apply/sysctl.js';
import { formatFinding, hasErrors, loadConfig } from '../config/load.js';
import type { IpmpConfig } from '../config/model.js';
import { Engine } from '../engine/engine.js';
import { linkUsable } from '../engine/link-usable.js';
import { RtnlClient } from '../netlink/client.js';
import type { Address, Link, Route } from '../netlink/types.js';
import { parseMapArgs } from './map-arg.js';
import type { Io } from './main.js';

export const PLAN_USAGE = 'Usage: ipmpctl plan PATH [--map A=B ...] [-j]';

export interface PlanLine { kind: 'sysctl' | Change['kind']; text: string }

export interface KernelSnapshot { links: Link[]; addresses: Address[]; routes: Route[] }

/** Pure part: what would change, given a configuration and the kernel as it is. */
export function computePlan(config: IpmpConfig, kernel: KernelSnapshot, sysctlNow: (path: string) => string | undefined): PlanLine[] {
  const engine = new Engine(config, 0);
  const notes: PlanLine[] = [];
  for (const g of config.groups) {
    for (const m of g.interfaces) {
      engine.handle({ type: 'probe', ifname: m.name, state: 'disabled' }, 0);
      const l = kernel.links.find((x) => x.name === m.name);
      // ipmpd brings administratively down members up at start; the plan assumes they then
      // get carrier, as the daemon would find after its settle wait.
      if (l && !l.up) notes.push({ kind: 'link-up', text: `# ${m.name} is administratively down: ipmpd brings it up; this plan assumes it then has carrier` });
      engine.handle(l ? { type: 'link', ifname: m.name, up: linkUsable(l.up ? l : { up: true, running: true, lowerUp: true }) } : { type: 'link-missing', ifname: m.name }, 0);
    }
  }
  const intent = intentFromPlacement(engine.placement(), config);
  const names = new Map(kernel.links.map((l) => [l.index, l.name]));
  const nameOf = (i: number): string => names.get(i) ?? `if${i}`;
  const lines: PlanLine[] = [];
  const members = intent.members;
  for (const s of [...globalSysctls(), ...members.flatMap((m) => memberSysctls(m))]) {
    const cur = sysctlNow(s.path);
    if (cur === undefined || cur === s.value) continue;
    lines.push({ kind: 'sysctl', text: `sysctl ${s.path.replace('/proc/sys/', '').replaceAll('/', '.')} ${cur} -> ${s.value}` });
  }
  for (const m of members) {
    if (!kernel.links.some((l) => l.name === m)) lines.push({ kind: 'link-up', text: `# ${m} does not exist on this host: nothing can be placed on it` });
  }
  lines.push(...notes);
  const changes = [...planAddressChanges(intent, kernel), ...planRouteChanges(intent, kernel)];
  for (const c of changes) lines.push({ kind: c.kind, text: describeChange(c, nameOf) });
  return lines;
}

export async function runPlan(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { map: { type: 'string', multiple: true, default: [] }, j: { type: 'boolean', default: false } } });
  } catch (err) {
    io.stderr.write(`ipmpctl plan: ${(err as Error).message}\n${PLAN_USAGE}\n`);
    return 2;
  }
  const [path, ...extra] = parsed.positionals;
  if (!path || extra.length > 0) {
    io.stderr.write(`${PLAN_USAGE}\n`);
    return 2;
  }
  const map = parseMapArgs(parsed.values.map);
  if ('error' in map) {
    io.stderr.write(`ipmpctl plan: ${map.error}\n`);
    return 2;
  }
  const loaded = await loadConfig(path, { map: map.map });
  for (const f of loaded.findings) io.stderr.write(`${formatFinding(f)}\n`);
  if (!loaded.config || hasErrors(loaded.findings)) {
    io.stderr.write('ipmpctl plan: the configuration has errors; ipmpd would refuse it and change nothing\n');
    return 1;
  }
  const client = RtnlClient.open();
  try {
    const kernel = { links: await client.listLinks(), addresses: await client.listAddresses(), routes: await client.listRoutes() };
    const lines = computePlan(loaded.config, kernel, (p) => { try { return readSysctl(p); } catch { return undefined; } });
    if (parsed.values.j) {
      io.stdout.write(`${JSON.stringify({ changes: lines })}\n`);
    } else if (lines.length === 0) {
      io.stdout.write('no changes: this host already matches the configuration\n');
    } else {
      for (const l of lines) io.stdout.write(`${l.text}\n`);
    }
    return 0;
  } finally {
    client.close();
  }
}
