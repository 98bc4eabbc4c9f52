// The one configuration model every input (Solaris /etc, ipadm scripts, native YAML) is
// turned into, and that the daemon consumes. Addresses are "address/prefix" strings.

export interface MpathdSettings {
  /** FAILURE_DETECTION_TIME in milliseconds (Solaris default 10000, floor 100). */
  failureDetectionTime: number;
  /** FAILBACK=yes: repaired NICs take their data addresses back. */
  failback: boolean;
  /**
   * TRACK_INTERFACES_ONLY_WITH_GROUPS. false: the NICs in `anonymous` are tracked too (failure
   * detection and ipmpstat, no failover), as in.mpathd's anonymous group. ipmpd still touches
   * only interfaces its configuration names.
   */
  trackInterfacesOnlyWithGroups: boolean;
}

export interface InterfaceConfig {
  /** Linux interface name. */
  name: string;
  /** Standby: carries only its test address until another member fails. */
  standby: boolean;
  /** Test addresses (address/prefix), v4 and/or v6; they never move. */
  testAddresses: string[];
  /** Name on the Solaris host this came from, when migrated. */
  solarisName?: string;
  /**
   * Probe IPv6 from the NIC's own link-local address (Solaris: `-failover` on the physical
   * interface in hostname6.<if>, where the link-local is the test address). Default false.
   */
  ipv6LinkLocalTest?: boolean;
}

export interface DataAddress {
  /** address/prefix */
  address: string;
  /** Home NIC (Linux name): where the address lives while that NIC is healthy. */
  interface: string;
  /** Never chosen as a source address (IPv6 preferred_lft 0; IPv4 via route src choice). */
  deprecated: boolean;
  /** Administratively up (Solaris `up`); a down address is kept in the model but not placed. */
  up: boolean;
}

/** active-standby: some member is standby. outbound-spread: all members active. */
export type PlacementMode = 'active-standby' | 'outbound-spread';

/**
 * How members probe. icmp / arp / both: from their test addresses. transitive: members with a
 * test address use ICMP; members without one are still probed (IPv4 RFC 5227 ARP probes from
 * 0.0.0.0, IPv6 neighbour solicitations from the link-local address) — Solaris 11
 * transitive probing's purpose, without extra addresses.
 */
export type ProbeMode = 'icmp' | 'arp' | 'both' | 'transitive';

export interface AnnounceSettings {
  /** Gratuitous ARPs per placed IPv4 address (Solaris arp_publish_count 5). */
  arpCount: number;
  /** Spacing of ARP announcements in ms (Solaris arp_publish_interval 2000). */
  arpIntervalMs: number;
  /** Unsolicited NAs per placed IPv6 address (Solaris ndp_unsolicit_count 3). */
  naCount: number;
  /** Spacing of NA announcements in ms (Solaris ndp_unsolicit_interval 2000). */
  naIntervalMs: number;
  /** Announce every placed data address again this often (keepalived's garp refresh); off when absent. */
  refreshMs?: number;
  /**
   * Make-before-break: a data address leaving a healthy member (failback, if_mpadm -r, spread
   * rebalancing) stays there this long after its new home sent the first announcement.
   */
  failbackGraceMs: number;
}

export interface GroupConfig {
  /** '' only for the anonymous group (see anonymousGroup()). */
  name: string;
  /** in.mpathd's anonymous group: members in no group, tracked but never failed over. */
  anonymous?: true;
  mode: PlacementMode;
  interfaces: InterfaceConfig[];
  dataAddresses: DataAddress[];
  announce: AnnounceSettings;
  probe: ProbeMode;
}

/** Daemon behaviour that has no Solaris counterpart; every field optional (daemon defaults). */
export interface DaemonSettings {
  /** Undo what ipmpd changed (addresses, routes, sysctls) when it exits. */
  cleanupOnExit?: boolean;
  /** Remove the data addresses it placed when it exits (subset of cleanupOnExit). */
  removeAddressesOnExit?: boolean;
  /** Lost probes ignored after an instance starts until the first reply (Solaris 40000). */
  quietPeriodMs?: number;
  /** Interval of the full consistency rescan (Solaris IF_SCAN_INTERVAL 20000). */
  invariantCheckMs?: number;
}

/** Prometheus endpoint (YAML `metrics:`); no Solaris counterpart. */
export interface MetricsSettings {
  /** "address:port", IPv6 in brackets; validated by src/metrics/listen.ts. */
  listen: string;
}

export interface IpmpConfig {
  mpathd: MpathdSettings;
  defaultRouters: string[];
  groups: GroupConfig[];
  /**
   * NICs in no group, tracked when mpathd.trackInterfacesOnlyWithGroups is false (YAML
   * `anonymous:`; Solaris: a hostname file without `group`). No standby, no data addresses.
   */
  anonymous?: InterfaceConfig[];
  /** Optional daemon options (YAML `daemon:`); absent when the config came from Solaris. */
  daemon?: DaemonSettings;
  /** Serve Prometheus metrics (YAML `metrics:`); absent = off. */
  metrics?: MetricsSettings;
  /** Programs run on state events (YAML `hooks:`); see src/daemon/hooks.ts. */
  hooks?: HookConfig[];
}

export interface HookConfig {
  /** Absolute path of the program; run without a shell, no arguments. */
  exec: string;
  /** State event kinds (src/daemon/state-events.ts) that run it. */
  events: string[];
  /** Killed (with its process group) after this long. */
  timeoutMs: number;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** Stable, upper-case identifier such as DUPLICATE_DATA_ADDRESS. */
  code: string;
  /** Path relative to the input root (e.g. etc/hostname.ce1) or the YAML file path. */
  file: string;
  /** 1-based line; 0 when the finding is about a file as a whole. */
  line: number;
  column?: number;
  message: string;
  /**
   * The model element the finding concerns, as a dotted path ("groups.0.dataAddresses.1"),
   * when the check knows it; ipmpctl migrate writes the finding there as a comment.
   */
  element?: string;
}

export const DEFAULT_MPATHD: MpathdSettings = {
  failureDetectionTime: 10000,
  failback: true,
  trackInterfacesOnlyWithGroups: true,
};

export const DEFAULT_ANNOUNCE: AnnounceSettings = {
  arpCount: 5,
  arpIntervalMs: 2000,
  naCount: 3,
  naIntervalMs: 2000,
  // Measured (npm run bench failback): long enough for replies already on their way to the
  // old NIC and peers still using its MAC; short against every repair time.
  failbackGraceMs: 50,
};

export const MIN_FAILURE_DETECTION_TIME = 100;
