// --map ce0=eth0,ce1=eth1 (repeatable) → { ce0: 'eth0', ce1: 'eth1' }.
export function parseMapArgs(values: string[]): { map: Record<string, string> } | { error: string } {
  const map: Record<string, string> = {};
  for (const v of values) {
    for (const pair of v.split(',')) {
      if (pair === '') continue;
      const m = /^([^=\s]+)=([^=\s]+)$/.exec(pair);
      if (!m?.[1] || !m[2]) return { error: `--map expects FROM=TO pairs, got '${pair}'` };
      if (map[m[1]] !== undefined && map[m[1]] !== m[2]) return { error: `--map names ${m[1]} twice` };
      map[m[1]] = m[2];
    }
  }
  return { map };
}
