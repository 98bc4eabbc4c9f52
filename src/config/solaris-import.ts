// Solaris configuration (a copied /etc and/or ipadm scripts, held in memory) → model +
// findings. Replays boot in Solaris order: databases, plumb, hostname.*, hostname6.*,
// ipadm scripts, defaultrouter; then derives the model and runs the model checks.

import { parseDefaultRouter } from './defaultrouter.js';
import { FindingSink, sortFindings } from './findings.js';
import { HostState, type Origin } from './host-state.js';
import { discoverHostnameFiles, plumbAll, processIpv4File, processIpv6File } from './hostname-files.js';
import { HostsDb, parseHostsFile } from './hosts-db.js';
import { hostToModel } from './host-to-model.js';
import type { IfconfigEnv } from './ifconfig-exec.js';
import { parseDatalinkConf } from './datalink-conf.js';
import { processIpadmConf } from './ipadm-conf.js';
import { processIpadmScript } from './ipadm-script.js';
import { checkModel, type ModelPath } from './model-checks.js';
import { DEFAULT_MPATHD, type Finding, type IpmpConfig } from './model.js';
import { parseMpathdDefaults } from './mpathd-defaults.js';
import { NameMapper } from './name-map.js';
import { type NetmasksDb, parseNetmasksFile } from './netmasks-db.js';

export interface SolarisInput {
  /** File contents by path relative to the input root, e.g. "etc/hostname.ce0". */
  files: Map<string, string>;
  /** The etc directory as a path prefix within `files`, normally "etc/". */
  etc: string;
  /** Paths (keys of `files`) of ipadm command scripts, replayed in this order. */
  ipadmScripts: string[];
  /** How to name the input as a whole in findings. */
  label: string;
}

export interface SolarisImport {
  config: IpmpConfig | null;
  findings: Finding[];
  /** Model element path ("groups.0.interfaces.1") → the Solaris file and line it came from. */
  origins?: Map<string, Origin>;
}

export function importSolaris(input: SolarisInput, opts: { map?: Record<string, string> } = {}): SolarisImport {
  const sink = new FindingSink();
  const { files, etc } = input;
  const first = (...names: string[]): string | undefined => names.map((n) => etc + n).find((p) => files.has(p));

  const hosts = new HostsDb();
  const hostsPath = first('inet/hosts', 'hosts');
  if (hostsPath) parseHostsFile(files.get(hostsPath)!, hostsPath, hosts, sink);
  const ipnodesPath = first('inet/ipnodes');
  if (ipnodesPath && files.get(ipnodesPath) !== (hostsPath ? files.get(hostsPath) : undefined)) {
    parseHostsFile(files.get(ipnodesPath)!, ipnodesPath, hosts, sink);
  }
  let netmasks: NetmasksDb | null = null;
  const netmasksPath = first('inet/netmasks', 'netmasks');
  if (netmasksPath) netmasks = parseNetmasksFile(files.get(netmasksPath)!, netmasksPath, sink);

  const mpathdPath = first('default/mpathd');
  const mp = mpathdPath ? parseMpathdDefaults(files.get(mpathdPath)!, mpathdPath, sink) : { settings: { ...DEFAULT_MPATHD }, origins: {} };

  const host = new HostState();
  const env: IfconfigEnv = { host, hosts, netmasks, sink };
  const hostnameFiles = discoverHostnameFiles(files.keys(), etc, sink);
  plumbAll(host, hostnameFiles);
  for (const f of hostnameFiles) {
    const text = files.get(f.path)!;
    if (f.family === 'inet') {
      const dhcp = etc + `dhcp.${f.ifname}`;
      processIpv4File(env, f, text, files.has(dhcp) ? dhcp : undefined);
    } else processIpv6File(env, f, text);
  }
  for (const s of input.ipadmScripts) {
    const text = files.get(s);
    if (text !== undefined) processIpadmScript(env, s, text);
  }

  // The persistent store is what Solaris 11 boot restores. A build script next to it is
  // taken as the admin's statement of intent and wins; reading both would double everything.
  const ipadmConf = first('ipadm/ipadm.conf');
  let storeRead = false;
  if (ipadmConf && input.ipadmScripts.length > 0) {
    sink.add('FILE_IGNORED', ipadmConf, 0, `the persistent ipadm store is not read because the ipadm script ${input.ipadmScripts.join(', ')} describes the same host; remove the script to migrate the store instead`);
  } else if (ipadmConf) {
    const dlPath = first('dladm/datalink.conf');
    const links = dlPath ? new Set(parseDatalinkConf(files.get(dlPath)!, dlPath, sink).keys()) : undefined;
    processIpadmConf(env, ipadmConf, files.get(ipadmConf)!, links);
    storeRead = true;
  }
  if (hostnameFiles.length === 0 && input.ipadmScripts.length === 0 && !storeRead) {
    sink.add('NOT_A_SOLARIS_TREE', input.label, 0, `no ${etc}hostname.<if> / hostname6.<if> files, no ${etc}ipadm/ipadm.conf and no ipadm script (ipadm*.sh, *.ipadm) found`);
    return { config: null, findings: sortFindings(sink.list) };
  }

  const routerPath = first('defaultrouter');
  const routers = routerPath ? parseDefaultRouter(files.get(routerPath)!, routerPath, hosts, sink) : [];

  const origins = new Map<string, Origin>();
  if (mpathdPath) {
    for (const [k, line] of Object.entries(mp.origins)) origins.set(`mpathd.${k}`, { file: mpathdPath, line });
  }
  const mapper = new NameMapper(opts.map ?? {}, sink);
  const config = hostToModel({
    host, mapper, sink, mpathd: mp.settings, origins,
    defaultRouters: routers.map((r) => ({ address: r.address, origin: { file: routerPath!, line: r.line } })),
  });
  mapper.reportUnused(input.label);

  const fallback: Origin = { file: hostnameFiles[0]?.path ?? input.ipadmScripts[0] ?? ipadmConf ?? input.label, line: 0 };
  const locate = (path: ModelPath): Origin => {
    for (let n = path.length; n > 0; n--) {
      const o = origins.get(path.slice(0, n).join('.'));
      if (o) return o;
    }
    return fallback;
  };
  checkModel(config, locate, sink, { fromYaml: false });
  return { config, findings: sortFindings(sink.list), origins };
}
