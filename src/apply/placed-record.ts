// What ipmpd itself placed in the kernel: `index|address` pairs, kept in a small state file
// (atomically replaced) so a restart knows which copies are its own. Without it, an address
// dropped from the configuration, or left on a NIC that is no longer a member (renamed, or
// mistyped in the new configuration), would stay behind unmanaged — possibly on two NICs.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ownedKey } from './kernel-diff.js';

interface StateFile { version: 1; placed: { index: number; address: string }[] }

/** Bounded: a state file is a few KiB; anything larger is not ours. */
const MAX_STATE_BYTES = 1 << 20;

export class PlacedRecord {
  private readonly keys = new Set<string>();
  private dirty = false;

  constructor(private readonly path: string | undefined) {}

  /** Reads the previous run's record; a missing or unreadable file is an empty record (returned as the reason). */
  load(): string | undefined {
    if (!this.path) return undefined;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : (err as Error).message;
    }
    if (text.length > MAX_STATE_BYTES) return `${this.path}: larger than ${MAX_STATE_BYTES} bytes, ignored`;
    try {
      const parsed = JSON.parse(text) as Partial<StateFile>;
      if (parsed.version !== 1 || !Array.isArray(parsed.placed)) return `${this.path}: not an ipmpd state file, ignored`;
      for (const p of parsed.placed) {
        if (typeof p?.index === 'number' && typeof p.address === 'string') this.keys.add(ownedKey(p.index, p.address));
      }
    } catch (err) {
      return `${this.path}: ${(err as Error).message}, ignored`;
    }
    return undefined;
  }

  get owned(): ReadonlySet<string> {
    return this.keys;
  }

  add(index: number, address: string): void {
    const k = ownedKey(index, address);
    if (this.keys.has(k)) return;
    this.keys.add(k);
    this.dirty = true;
  }

  remove(index: number, address: string): void {
    if (this.keys.delete(ownedKey(index, address))) this.dirty = true;
  }

  /** Keeps only the pairs `keep` accepts (e.g. addresses still present in the kernel). */
  retain(keep: (index: number, address: string) => boolean): void {
    for (const k of [...this.keys]) {
      const bar = k.indexOf('|');
      if (!keep(Number(k.slice(0, bar)), k.slice(bar + 1))) {
        this.keys.delete(k);
        this.dirty = true;
      }
    }
  }

  /** Writes the record if it changed: a temporary file renamed over the old one, so a crash leaves one or the other. */
  save(): void {
    if (!this.path || !this.dirty) return;
    const placed = [...this.keys].map((k) => {
      const bar = k.indexOf('|');
      return { index: Number(k.slice(0, bar)), address: k.slice(bar + 1) };
    });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, placed } satisfies StateFile)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
    this.dirty = false;
  }
}
