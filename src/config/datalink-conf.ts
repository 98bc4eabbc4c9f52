// /etc/dladm/datalink.conf: one datalink per line, "<link><blank><attr>=<type>,<value>;…".
// ipmpd needs only which link names exist and, when recorded, the device behind each
// (net0 → e1000g0), so findings can name the hardware an admin knows.
import type { FindingSink } from './findings.js';

export interface Datalink {
  name: string;
  device?: string;
  line: number;
}

export function parseDatalinkConf(text: string, file: string, sink: FindingSink): Map<string, Datalink> {
  const links = new Map<string, Datalink>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) {
      sink.add('DATALINK_BAD_LINE', file, i + 1, `"${line.slice(0, 60)}" is not "<link> <attr>=<type>,<value>;…"; line ignored`);
      return;
    }
    const link: Datalink = { name: m[1]!, line: i + 1 };
    for (const attr of m[2]!.split(';')) {
      const a = /^(\w+)=string,(.+)$/.exec(attr.trim());
      if (a && a[1] === 'devname') link.device = a[2];
    }
    links.set(link.name, link);
  });
  return links;
}
