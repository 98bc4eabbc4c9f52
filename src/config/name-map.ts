// Solaris NIC names → Linux names (--map ce0=eth0). Unmapped names keep their Solaris name
// and are reported, since a Linux host rarely has a "ce0".

import type { FindingSink } from './findings.js';
import type { Origin } from './host-state.js';

/** Linux IFNAMSIZ is 16 including the NUL; '/', ':' and blanks are refused by the kernel. */
export function linuxNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 15) return `has ${name.length} characters (Linux allows 15)`;
  if (/[/:\s]/.test(name)) return 'contains "/", ":" or a blank, which Linux interface names cannot';
  if (name === '.' || name === '..') return 'is not a valid interface name';
  return null;
}

export class NameMapper {
  private readonly used = new Set<string>();
  private readonly reported = new Set<string>();
  private readonly byLinux = new Map<string, string>();

  constructor(private readonly map: Record<string, string>, private readonly sink: FindingSink) {}

  linuxName(solaris: string, origin: Origin): string {
    const mapped = Object.prototype.hasOwnProperty.call(this.map, solaris) ? this.map[solaris] : undefined;
    const name = mapped ?? solaris;
    if (!this.reported.has(solaris)) {
      this.reported.add(solaris);
      if (mapped === undefined) {
        this.sink.add('UNMAPPED_INTERFACE', origin.file, origin.line, `${solaris} has no --map entry and keeps its Solaris name; add --map ${solaris}=<linux-nic>`);
      }
      const problem = linuxNameProblem(name);
      if (problem) this.sink.add('INVALID_LINUX_NAME', origin.file, origin.line, `Linux interface name "${name}" ${problem}`);
      const other = this.byLinux.get(name);
      if (other !== undefined && other !== solaris) {
        this.sink.add('MAP_CONFLICT', origin.file, origin.line, `${solaris} and ${other} would both become Linux interface ${name}`);
      }
      this.byLinux.set(name, solaris);
    }
    if (mapped !== undefined) this.used.add(solaris);
    return name;
  }

  /** --map entries that named no interface of the configuration. */
  reportUnused(file: string): void {
    for (const k of Object.keys(this.map)) {
      if (!this.used.has(k)) this.sink.add('MAP_UNUSED', file, 0, `--map ${k}=${this.map[k]}: no IPMP interface named ${k} in the input`);
    }
  }
}
