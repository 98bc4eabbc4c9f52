// The record of placed addresses survives a restart, and a damaged file never stops the daemon.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PlacedRecord } from '../../../src/apply/placed-record.js';

describe('PlacedRecord', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipmpd-state-'));
  const path = join(dir, 'ipmpd.state');
  afterEach(() => rmSync(path, { force: true }));

  it('round-trips through the file and writes only when changed', () => {
    const a = new PlacedRecord(path);
    expect(a.load()).toBeUndefined();
    a.add(3, '192.0.2.100');
    a.add(4, '2001:db8::100');
    a.save();
    const b = new PlacedRecord(path);
    expect(b.load()).toBeUndefined();
    expect([...b.owned].sort()).toEqual(['3|192.0.2.100', '4|2001:db8::100']);
    writeFileSync(path, 'sentinel');
    b.save(); // unchanged: not written
    expect(readFileSync(path, 'utf8')).toBe('sentinel');
  });

  it('retain keeps only what the predicate accepts', () => {
    const a = new PlacedRecord(path);
    a.add(3, '192.0.2.100');
    a.add(3, '192.0.2.101');
    a.retain((_i, address) => address.endsWith('.101'));
    expect([...a.owned]).toEqual(['3|192.0.2.101']);
  });

  it.each([
    ['not JSON', 'garbage{'],
    ['another shape', '{"version":7}'],
  ])('%s: ignored with a reason, empty record', (_n, text) => {
    writeFileSync(path, text);
    const a = new PlacedRecord(path);
    expect(a.load()).toMatch(/ignored/);
    expect([...a.owned]).toEqual([]);
  });
});
