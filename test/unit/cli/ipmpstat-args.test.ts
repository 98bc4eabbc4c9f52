import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IPMPSTAT_USAGE, effectiveFields, parseIpmpstatArgs, type IpmpstatArgs } from '../../../src/cli/ipmpstat-args.js';

const ok = (argv: string[]): IpmpstatArgs => {
  const r = parseIpmpstatArgs(argv);
  if ('error' in r) throw new Error(`unexpected error for ${argv.join(' ')}: ${r.error}`);
  return r;
};
const err = (argv: string[]): string => {
  const r = parseIpmpstatArgs(argv);
  if (!('error' in r)) throw new Error(`expected an error for ${argv.join(' ')}`);
  expect(r.exit).toBe(1);
  return r.error;
};

describe('parseIpmpstatArgs: accepted command lines', () => {
  it.each<[string[], Partial<IpmpstatArgs>]>([
    [['-g'], { mode: 'g', numeric: false, parsable: false, json: false, warnings: [] }],
    [['-an'], { mode: 'a', numeric: true }],
    [['-n', '-t'], { mode: 't', numeric: true }],
    [['-p'], { mode: 'p' }],
    [['-gP', '-o', 'group,fdt'], { mode: 'g', parsable: true, fields: ['GROUP', 'FDT'] }],
    [['-Po', 'GROUP,Fdt', '-g'], { mode: 'g', parsable: true, fields: ['GROUP', 'FDT'] }],
    [['-ointerface,flags', '-i'], { mode: 'i', fields: ['INTERFACE', 'FLAGS'] }],
    [['-i', '-o', 'state,,interface'], { mode: 'i', fields: ['STATE', 'INTERFACE'] }],
    [['-o', 'all', '-p'], { mode: 'p', fields: ['TIME', 'INTERFACE', 'PROBE', 'NETRTT', 'RTT', 'RTTAVG', 'TARGET', 'RTTDEV'] }],
    [['-o', 'group', '-o', 'fdt', '-g'], { fields: ['FDT'] }],
    [['-j', '-g'], { mode: 'g', json: true }],
    [['--json', '-i'], { mode: 'i', json: true }],
    [['-nja'], { mode: 'a', json: true, numeric: true }],
  ])('%j', (argv, expected) => {
    expect(ok(argv)).toMatchObject(expected);
  });

  it('no -o means no fields (the renderer uses the mode default)', () => {
    const r = ok(['-p']);
    expect(r.fields).toBeUndefined();
    expect(effectiveFields(r)).toEqual(['TIME', 'INTERFACE', 'PROBE', 'NETRTT', 'RTT', 'RTTAVG', 'TARGET']);
    expect(effectiveFields(ok(['-g', '-o', 'fdt']))).toEqual(['FDT']);
  });

  it('human mode ignores unknown fields with a Solaris-style warning', () => {
    expect(ok(['-g', '-o', 'group,bogus'])).toMatchObject({ fields: ['GROUP'], warnings: ["ipmpstat: warning: ignoring unknown output field: `bogus'"] });
    expect(ok(['-g', '-o', 'x,group,y'])).toMatchObject({ fields: ['GROUP'], warnings: ["ipmpstat: warning: ignoring unknown output fields: `x' `y'"] });
  });
});

describe('parseIpmpstatArgs: usage errors', () => {
  it.each<[string[], RegExp]>([
    [[], /^usage: ipmpstat/],
    [['-n'], /^usage: ipmpstat/],
    [['-g', 'extra'], /^usage: ipmpstat/],
    [['--', '-g'], /^usage: ipmpstat/],
    [['-x', '-g'], /^ipmpstat: illegal option -- x\nusage:/],
    [['-g', '-o'], /^ipmpstat: option requires an argument -- o\nusage:/],
    [['-a', '-g'], /^ipmpstat: only one output format may be specified$/],
    [['-ag'], /^ipmpstat: only one output format may be specified$/],
    [['-i', '-i'], /^ipmpstat: only one output format may be specified$/],
    [['-gP'], /^ipmpstat: output fields must be specified in parsable mode$/],
    [['-gP', '-o', ''], /^ipmpstat: output fields must be specified in parsable mode$/],
    [['-gP', '-o', 'all'], /^ipmpstat: output field `all' invalid in parsable mode$/],
    [['-gP', '-o', 'group,bogus'], /^ipmpstat: unknown output field: `bogus'$/],
    [['-gP', '-o', 'bogus,group,nope'], /^ipmpstat: unknown output fields: `bogus' `nope'$/],
    [['-g', '-o', 'bogus'], /^ipmpstat: no valid output fields$/],
    [['-g', '-o', ''], /^ipmpstat: no valid output fields$/],
    [['-i', '-o', 'target'], /^ipmpstat: no valid output fields$/],
    [['-g', '-o', 'ALL'], /^ipmpstat: no valid output fields$/],
    [['-j', '-gP', '-o', 'group'], /^ipmpstat: -j cannot be combined with -o or -P$/],
    [['-j', '-g', '-o', 'group'], /^ipmpstat: -j cannot be combined/],
  ])('%j', (argv, message) => {
    expect(err(argv)).toMatch(message);
  });

  it('the usage text lists every mode and option illumos has (-j is ours, listed by --help only)', () => {
    for (const s of ['-a', '-g', '-i', '-p', '-t', '-n', '-o', '-P']) expect(IPMPSTAT_USAGE).toContain(s);
    expect(IPMPSTAT_USAGE).not.toContain('-j');
  });

  it('property: never throws; result is either valid args or an exit-1 error', () => {
    const token = fc.oneof(
      fc.constantFrom('-a', '-g', '-i', '-p', '-t', '-n', '-P', '-j', '-o', '--', '--json', 'all', 'group,fdt', '-an', '-gPo'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(fc.property(fc.array(token, { maxLength: 6 }), (argv) => {
      const r = parseIpmpstatArgs(argv);
      if ('error' in r) {
        expect(r.exit).toBe(1);
        expect(r.error.length).toBeGreaterThan(0);
      } else {
        expect('agipt').toContain(r.mode);
        if (r.parsable) expect(r.fields?.length).toBeGreaterThan(0);
        if (r.json) expect(r.parsable || r.fields !== undefined).toBe(false);
      }
    }));
  });
});
