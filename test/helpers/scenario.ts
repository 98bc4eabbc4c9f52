// One call for the usual end-to-end set-up: topology, optional announcement watcher on
// switch ports, ipmpd started with a configuration; one call to tear it all down.
import { DaemonProcess } from './daemon.js';
import { buildTopology, type Topology } from './topology.js';
import { AnnouncementWatcher } from './wire.js';

export interface Scenario {
  t: Topology;
  d: DaemonProcess;
  wire: AnnouncementWatcher;
  close(): Promise<void>;
}

export interface ScenarioOptions {
  nics?: number;
  config: string;
  /** Host NIC indexes whose switch ports are watched for GARP/NA (default: all). */
  watch?: number[];
  /** Runs on the fresh topology before ipmpd starts (e.g. to stack macvlans). */
  prepare?: (t: Topology) => void;
  /** Extra environment for ipmpd. */
  env?: Record<string, string>;
}

export async function startScenario(o: ScenarioOptions): Promise<Scenario> {
  const t = buildTopology(o.nics ?? 2);
  let d: DaemonProcess | undefined;
  let wire: AnnouncementWatcher | undefined;
  const close = async (): Promise<void> => {
    await d?.stop().catch(() => undefined);
    d?.cleanup();
    wire?.close();
    t.destroy();
  };
  try {
    o.prepare?.(t);
    wire = new AnnouncementWatcher(t.sw, (o.watch ?? t.nics.map((_, i) => i)).map((i) => t.port(i)));
    d = new DaemonProcess(t.host, o.env);
    d.writeConfig(o.config);
    await d.start();
    return { t, d, wire, close };
  } catch (err) {
    await close();
    throw err;
  }
}
