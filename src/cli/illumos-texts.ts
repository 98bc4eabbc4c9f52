// The diagnostics of illumos ipmpstat(8) and if_mpadm(8), word for word, because Solaris
// admins' scripts match on them. Each text names the illumos function that prints it; the
// facts come from usr/src/cmd/cmd-inet/usr.sbin/{ipmpstat/ipmpstat.c,if_mpadm/if_mpadm.c},
// usr/src/lib/libinetutil/common/ofmt.c and usr/src/lib/libipmp/common/ipmp.c. Every one of
// them ends the run with EXIT_FAILURE (1) except the warnings, which let it go on.

/** EXIT_FAILURE: what die() and usage() exit with in both tools. */
export const EXIT_FAILURE = 1;

// ---- ipmpstat ----

/** ipmpstat.c usage(): the argument synopsis and the option list, on stderr. */
export const IPMPSTAT_USAGE = [
  'usage: ipmpstat [-n] [-o <field> [-P]] -a|-g|-i|-p|-t',
  '',
  '  output modes:\t -a  display IPMP data address information',
  '\t\t -g  display IPMP group information',
  '\t\t -i  display IPMP-related IP interface information',
  '\t\t -p  display IPMP probe information',
  '\t\t -t  display IPMP target information',
  '',
  '       options:\t -n  display IP addresses numerically',
  '\t\t -o  display only the specified fields, in order',
  '\t\t -P  display using parsable output mode',
].join('\n');

/** ipmpstat.c die(): "<progname>: <text>". */
export const ipmpstatDie = (text: string): string => `ipmpstat: ${text}`;
/** ipmpstat.c warn(): "<progname>: warning: <text>". */
export const ipmpstatWarn = (text: string): string => `ipmpstat: warning: ${text}`;

/** getopt(3C) on illumos prefixes argv[0]; usage() follows. */
export const getoptIllegal = (prog: string, c: string): string => `${prog}: illegal option -- ${c}`;
export const getoptNeedsArg = (prog: string, c: string): string => `${prog}: option requires an argument -- ${c}`;

/** ipmpstat.c main(): a second -a/-g/-i/-p/-t. */
export const ONLY_ONE_FORMAT = 'only one output format may be specified';

/** ofmt.c ofmt_strerror(): OFMT_EPARSENONE, OFMT_EPARSEALL, OFMT_ENOFIELDS, OFMT_EBADFIELDS. */
export const OFMT_EPARSENONE = 'output fields must be specified in parsable mode';
export const OFMT_EPARSEALL = "output field `all' invalid in parsable mode";
export const OFMT_ENOFIELDS = 'no valid output fields';
export function ofmtBadFields(bad: readonly string[], parsable: boolean): string {
  const plural = bad.length > 1 ? 's' : '';
  const lead = parsable ? `unknown output field${plural}:` : `ignoring unknown output field${plural}:`;
  return lead + bad.map((b) => ` \`${b}'`).join('');
}

/** ipmpstat.c main(): ipmp_ping_daemon() failed. */
export const CANNOT_CONTACT = 'cannot contact in.mpathd(1M) -- is IPMP in use?';
/** ipmpstat.c main(): ipmp_setqcontext(SNAP) failed, with die_ipmperr()'s ": <ipmp_errmsg>". */
export const cannotSnapshot = (why: string): string => `cannot snapshot IPMP state: ${why}`;
/** ipmpstat.c probe_output(): no member has probing enabled. */
export const PROBES_DISABLED = 'probe-based failure detection is disabled';

// ---- if_mpadm ----

/** if_mpadm.c usage(): on stderr, exit 1. */
export const IF_MPADM_USAGE = 'Usage: if_mpadm [-d | -r] <interface>';
/** if_mpadm.c die(): "<progname>: fatal: <text>". */
export const ifMpadmDie = (text: string): string => `if_mpadm: fatal: ${text}`;

/** if_mpadm.c is_offline(): SIOCGLIFFLAGS failed with ENXIO, i.e. no such interface. */
export const noSuchInterface = (ifname: string): string =>
  `cannot get interface flags on ${ifname}: No such device or address`;
/** if_mpadm.c do_offline() / undo_offline(): IFF_OFFLINE already set / not set. */
export const alreadyOffline = (ifname: string): string => `interface ${ifname} is already offline`;
export const notOffline = (ifname: string): string => `interface ${ifname} is not offline`;
/** if_mpadm.c do_offline() / undo_offline(): the daemon refused, with mpadm_errmsg(). */
export const cannotOffline = (ifname: string, why: string): string => `cannot offline ${ifname}: ${why}`;
export const cannotUndoOffline = (ifname: string, why: string): string => `cannot undo-offline ${ifname}: ${why}`;

/** if_mpadm.c mpadm_errmsg(): its own words for two codes, else libipmp's ipmp_errmsg(). */
export const MPADM_EUNKIF = 'not a physical interface or not in an IPMP group';
export const MPADM_EMINRED = 'no other functioning interfaces are in its IPMP group';
/** ipmp.c errmsgs[]: IPMP_EHWADDRDUP (undo-offline of a NIC whose MAC another member has). */
export const IPMP_EHWADDRDUP = 'interface has duplicate hardware address';
/** ipmp.c errmsgs[]: IPMP_ENOMPATHD and IPMP_EPROTO. */
export const IPMP_ENOMPATHD = 'cannot contact in.mpathd';
export const IPMP_EPROTO = 'unable to communicate with in.mpathd';
/** ipmp.c ipmp_errmsg(IPMP_FAILURE) is strerror(errno); EACCES is what a non-root caller meets. */
export const STRERROR_EACCES = 'Permission denied';
