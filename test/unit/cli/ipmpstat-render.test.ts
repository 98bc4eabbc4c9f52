import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { GroupStatus, InterfaceStatus, StatusSnapshot } from '../../../src/control/status.js';
import {
  OfmtPrinter, createProbeLineRenderer, renderIpmpstat, renderIpmpstatJson, renderIpmpstatProbes, renderProbeJson, targetRows,
  type RenderOptions,
} from '../../../src/cli/ipmpstat-render.js';
import { defaultFieldNames, formatFlags, formatGroupInterfaces } from '../../../src/cli/ipmpstat-fields.js';
import { ORACLE, PROBES, START_MS, flags } from './ipmpstat-fixtures.js';

const human = (mode: RenderOptions['mode'], extra: Partial<RenderOptions> = {}): RenderOptions =>
  ({ mode, numeric: true, parsable: false, ...extra });
const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');

describe('human mode goldens (Oracle documentation shapes)', () => {
  it('-g', () => {
    expect(renderIpmpstat(ORACLE, human('g'))).toBe(lines(
      'GROUP       GROUPNAME   STATE     FDT       INTERFACES',
      'ipmp0       ipmp0       ok        10.00s    net0 net1',
      'acctg1      acctg1      failed    --        [net3 net4]',
      'field2      field2      degraded  20.00s    net2 net5 (net7) [net6]',
    ));
  });

  it('-an: a down address and a failed group show -- for INBOUND and OUTBOUND', () => {
    expect(renderIpmpstat(ORACLE, human('a'))).toBe(lines(
      'ADDRESS                   STATE  GROUP       INBOUND     OUTBOUND',
      '192.168.10.10             up     ipmp0       net0        net0 net1',
      '192.168.10.15             up     ipmp0       net1        net0 net1',
      '192.0.0.100               up     acctg1      --          --',
      '128.0.0.102               down   field2      --          --',
    ));
  });

  it('-i with FLAGS', () => {
    expect(renderIpmpstat(ORACLE, human('i'))).toBe(lines(
      'INTERFACE   ACTIVE  GROUP       FLAGS     LINK      PROBE     STATE',
      'net0        yes     ipmp0       --mbM--   up        ok        ok',
      'net1        yes     ipmp0       -------   up        ok        ok',
      'net3        no      acctg1      -------   down      unknown   failed',
      'net4        no      acctg1      is-----   up        failed    failed',
      'net7        no      field2      is---d-   up        disabled  offline',
    ));
  });

  it('-tn: v4 row unless only v6 probes; interfaces without entries show disabled; wide TESTADDR pushes right', () => {
    expect(renderIpmpstat(ORACLE, human('t'))).toBe(lines(
      'INTERFACE   MODE      TESTADDR            TARGETS',
      'net0        routes    192.168.85.30       192.168.85.1 192.168.85.3',
      'net1        disabled  --                  --',
      'net3        multicast 128.9.0.200         128.0.0.1 128.0.0.2',
      'net4        multicast fe80::214:4fff:fe4b:1 fe80::1 fe80::2',
      'net7        disabled  --                  --',
    ));
  });

  it('-t prints both rows when both families probe', () => {
    const snap: StatusSnapshot = {
      ...ORACLE,
      interfaces: [],
      targets: [
        { interface: 'net0', family: 6, mode: 'multicast', testAddress: 'fe80::1', targets: ['fe80::2'] },
        { interface: 'net0', family: 4, mode: 'routes', testAddress: '192.0.2.10', targets: ['192.0.2.1'] },
      ],
    };
    expect(targetRows(snap).map((t) => t.family)).toEqual([4, 6]);
  });

  it('-p default omits only RTTDEV (80-column rule); lost probes have no RTTs; TIME may be negative', () => {
    expect(renderIpmpstatProbes(PROBES, START_MS, { numeric: true, parsable: false })).toBe(lines(
      'TIME      INTERFACE   PROBE  NETRTT    RTT       RTTAVG    TARGET',
      '0.11s     net0        589    0.51ms    0.76ms    0.76ms    192.168.85.1',
      '0.17s     net1        612    --        --        --        192.168.85.1',
      '-0.25s    net0        588    12.35ms   13.50ms   --        192.168.85.3',
    ));
  });

  it('-p -o all adds RTTDEV', () => {
    expect(renderIpmpstatProbes(PROBES.slice(0, 2), START_MS, { numeric: true, parsable: false, fields: defaultFieldNames('p').concat('RTTDEV') })).toBe(lines(
      'TIME      INTERFACE   PROBE  NETRTT    RTT       RTTAVG    TARGET              RTTDEV',
      '0.11s     net0        589    0.51ms    0.76ms    0.76ms    192.168.85.1        0.02ms',
      '0.17s     net1        612    --        --        --        192.168.85.1        --',
    ));
  });

  it('prints nothing at all, not even a header, when there are no rows', () => {
    const empty: StatusSnapshot = { groups: [], interfaces: [], addresses: [], targets: [] };
    for (const m of ['a', 'g', 'i', 't'] as const) expect(renderIpmpstat(empty, human(m))).toBe('');
    expect(renderIpmpstatProbes([], START_MS, { numeric: true, parsable: false })).toBe('');
  });

  it('-p mode is refused by the snapshot renderer', () => {
    expect(() => renderIpmpstat(ORACLE, human('p'))).toThrow(/renderIpmpstatProbes/);
  });
});

describe('column overflow (ofmt: wide values push right, later short ones realign)', () => {
  it('a long IPv6 address shifts STATE and GROUP, INBOUND gives the space back', () => {
    const snap: StatusSnapshot = {
      ...ORACLE,
      addresses: [
        { address: '2001:db8:ffff:ffff:ffff:ffff:ffff:1', prefixLen: 64, state: 'up', group: 'itops0', inbound: 'net0', outbound: ['net0', 'net1'] },
        { address: '2001:db8::1', prefixLen: 64, state: 'up', group: 'itops0', inbound: 'net1', outbound: ['net0', 'net1'] },
      ],
    };
    expect(renderIpmpstat(snap, human('a'))).toBe(lines(
      'ADDRESS                   STATE  GROUP       INBOUND     OUTBOUND',
      '2001:db8:ffff:ffff:ffff:ffff:ffff:1 up itops0 net0       net0 net1',
      '2001:db8::1               up     itops0      net1        net0 net1',
    ));
  });

  it('a value exactly the column width still gets one separating space', () => {
    const g: GroupStatus = { group: 'abcdefghijkl', groupname: 'x', state: 'ok', fdtMs: null, active: ['n0'], inactive: [], unusable: [] };
    expect(renderIpmpstat({ ...ORACLE, groups: [g] }, human('g'))).toBe(lines(
      'GROUP       GROUPNAME   STATE     FDT       INTERFACES',
      'abcdefghijkl x          ok        --        n0',
    ));
  });

  it('property: with fitting values every column starts at its nominal offset', () => {
    const word = (max: number) => fc.stringMatching(new RegExp(`^[a-z0-9]{1,${max}}$`));
    fc.assert(fc.property(word(11), word(11), word(9), word(40), (a, b, c, last) => {
      const p = new OfmtPrinter([{ name: 'A', width: 12 }, { name: 'B', width: 12 }, { name: 'C', width: 10 }, { name: 'D', width: 5 }], false);
      const row = p.row([a, b, c, last]).split('\n')[1] as string;
      expect(row.slice(0, 12).trimEnd()).toBe(a);
      expect(row.slice(12, 24).trimEnd()).toBe(b);
      expect(row.slice(24, 34).trimEnd()).toBe(c);
      expect(row.slice(34)).toBe(last);
    }));
  });

  it('property: whatever the widths, the words survive in order, separated by at least one space', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.stringMatching(/^[!-~]{1,30}$/), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 8 }),
      (cols) => {
        const p = new OfmtPrinter(cols.map(([, w], i) => ({ name: `F${i}`, width: w })), false);
        const out = p.row(cols.map(([v]) => v)).split('\n');
        expect(out[1]?.split(/ +/)).toEqual(cols.map(([v]) => v));
        expect(out[0]?.split(/ +/)).toEqual(cols.map((_, i) => `F${i}`));
      }));
  });
});

describe('parsable mode', () => {
  const P = (mode: RenderOptions['mode'], fields: string[]): RenderOptions => ({ mode, numeric: true, parsable: true, fields });

  it('-gP -o group,fdt: no header, empty FDT prints nothing', () => {
    expect(renderIpmpstat(ORACLE, P('g', ['group', 'fdt']))).toBe('ipmp0:10.00s\nacctg1:\nfield2:20.00s\n');
  });

  it('escapes : and \\ when there is more than one field', () => {
    const snap: StatusSnapshot = {
      ...ORACLE,
      addresses: [{ address: '2001:db8::1', prefixLen: 64, state: 'up', group: 'a\\b', inbound: 'net0', outbound: ['net0', 'net1'] }],
    };
    expect(renderIpmpstat(snap, P('a', ['ADDRESS', 'group', 'outbound']))).toBe('2001\\:db8\\:\\:1:a\\\\b:net0 net1\n');
  });

  it('a single field is printed raw', () => {
    const snap: StatusSnapshot = { ...ORACLE, addresses: [{ ...ORACLE.addresses[0]!, address: '2001:db8::1' }] };
    expect(renderIpmpstat(snap, P('a', ['address']))).toBe('2001:db8::1\n');
  });

  it('-iP -o interface,flags,state', () => {
    expect(renderIpmpstat(ORACLE, P('i', ['interface', 'flags', 'state']))).toBe(
      'net0:--mbM--:ok\nnet1:-------:ok\nnet3:-------:failed\nnet4:is-----:failed\nnet7:is---d-:offline\n');
  });

  it('-tP -o interface,testaddr,targets', () => {
    expect(renderIpmpstat(ORACLE, P('t', ['interface', 'testaddr', 'targets']))).toBe(
      'net0:192.168.85.30:192.168.85.1 192.168.85.3\nnet1::\nnet3:128.9.0.200:128.0.0.1 128.0.0.2\n'
      + 'net4:fe80\\:\\:214\\:4fff\\:fe4b\\:1:fe80\\:\\:1 fe80\\:\\:2\nnet7::\n');
  });

  it('-pP -o time,probe,netrtt,rttdev', () => {
    expect(renderIpmpstatProbes(PROBES, START_MS, { numeric: true, parsable: true, fields: ['time', 'probe', 'netrtt', 'rttdev'] })).toBe(
      '0.11s:589:0.51ms:0.02ms\n0.17s:612::\n-0.25s:588:12.35ms:\n');
  });

  it('property: splitting on unescaped : and unescaping gives back every value', () => {
    const text = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\n'));
    fc.assert(fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 5 }), (pairs) => {
      const snap: StatusSnapshot = {
        ...ORACLE,
        groups: pairs.map(([group, groupname]) => ({ group, groupname, state: 'ok', fdtMs: null, active: [], inactive: [], unusable: [] })),
      };
      const out = renderIpmpstat(snap, P('g', ['group', 'groupname', 'fdt']));
      const rows = out.split('\n').slice(0, -1);
      expect(rows.length).toBe(pairs.length);
      rows.forEach((row, i) => {
        const fields: string[] = [''];
        for (let k = 0; k < row.length; k++) {
          const c = row[k] as string;
          if (c === '\\') { fields[fields.length - 1] += row[++k] ?? ''; continue; }
          if (c === ':') { fields.push(''); continue; }
          fields[fields.length - 1] += c;
        }
        expect(fields).toEqual([pairs[i]![0], pairs[i]![1], '']);
      });
    }));
  });
});

describe('-o field selection', () => {
  it('chooses and orders fields, case-insensitively', () => {
    expect(renderIpmpstat(ORACLE, human('i', { fields: ['state', 'INTERFACE'] }))).toBe(lines(
      'STATE     INTERFACE',
      'ok        net0',
      'ok        net1',
      'failed    net3',
      'failed    net4',
      'offline   net7',
    ));
  });

  it('a field may repeat, as with ofmt', () => {
    expect(renderIpmpstat(ORACLE, { mode: 'g', numeric: true, parsable: true, fields: ['group', 'group'] }).split('\n')[0]).toBe('ipmp0:ipmp0');
  });

  it('unknown names are a programming error here (the args parser filters them)', () => {
    expect(() => renderIpmpstat(ORACLE, human('g', { fields: ['bogus'] }))).toThrow(/unknown ipmpstat field/);
  });

  it('default fields follow the 80-column rule', () => {
    expect(defaultFieldNames('a')).toEqual(['ADDRESS', 'STATE', 'GROUP', 'INBOUND', 'OUTBOUND']);
    expect(defaultFieldNames('p')).toEqual(['TIME', 'INTERFACE', 'PROBE', 'NETRTT', 'RTT', 'RTTAVG', 'TARGET']);
    expect(defaultFieldNames('t')).toEqual(['INTERFACE', 'MODE', 'TESTADDR', 'TARGETS']);
  });
});

describe('names and unknown values', () => {
  const hosts: Record<string, string> = { '192.168.10.10': 'host1', '192.168.85.1': 'router1', '192.168.85.30': 'net0-test' };
  const resolve = (a: string): string | undefined => hosts[a];

  it('without -n addresses go through the resolver; unresolved stay numeric', () => {
    const out = renderIpmpstat(ORACLE, { mode: 'a', numeric: false, parsable: true, fields: ['address'] }, resolve);
    expect(out).toBe('host1\n192.168.10.15\n192.0.0.100\n128.0.0.102\n');
    const t = renderIpmpstat(ORACLE, { mode: 't', numeric: false, parsable: true, fields: ['testaddr', 'targets'] }, resolve);
    expect(t.split('\n')[0]).toBe('net0-test:router1 192.168.85.3');
    const p = renderIpmpstatProbes(PROBES.slice(0, 1), START_MS, { numeric: false, parsable: true, fields: ['target'] }, resolve);
    expect(p).toBe('router1\n');
  });

  it('with -n the resolver is never asked', () => {
    const asked: string[] = [];
    renderIpmpstat(ORACLE, human('t'), (a) => { asked.push(a); return 'x'; });
    renderIpmpstat(ORACLE, human('a'), (a) => { asked.push(a); return 'x'; });
    expect(asked).toEqual([]);
  });

  it('values outside the known set print ? in both modes', () => {
    const odd = { ...ORACLE.interfaces[0]!, link: 'flapping' } as unknown as InterfaceStatus;
    const snap = { ...ORACLE, interfaces: [odd] };
    expect(renderIpmpstat(snap, human('i', { fields: ['interface', 'link', 'state'] }))).toBe(lines(
      'INTERFACE   LINK      STATE',
      'net0        ?         ok',
    ));
    expect(renderIpmpstat(snap, { mode: 'i', numeric: true, parsable: true, fields: ['interface', 'link'] })).toBe('net0:?\n');
  });
});

describe('header repetition (windowRows, as ofmt on a terminal)', () => {
  it('header every N lines counting the header itself', () => {
    const g = (n: number): GroupStatus => ({ group: `g${n}`, groupname: `g${n}`, state: 'ok', fdtMs: null, active: [], inactive: [], unusable: [] });
    const snap = { ...ORACLE, groups: [1, 2, 3, 4, 5].map(g) };
    const out = renderIpmpstat(snap, human('g', { fields: ['group'], windowRows: 3 }));
    expect(out).toBe(lines('GROUP', 'g1', 'g2', 'GROUP', 'g3', 'g4', 'GROUP', 'g5'));
  });

  it('streaming -p renderer prints the header only with the first probe', () => {
    const line = createProbeLineRenderer({ numeric: true, parsable: false, fields: ['probe', 'interface'] }, START_MS);
    expect(line(PROBES[0]!)).toBe(lines('PROBE  INTERFACE', '589    net0'));
    expect(line(PROBES[1]!)).toBe(lines('612    net1'));
  });
});

describe('helpers', () => {
  it.each([
    [{}, '-------'],
    [{ inactive: true, standby: true }, 'is-----'],
    [{ mcast4: true, bcast4: true, mcast6: true }, '--mbM--'],
    [{ down: true, hwaddrdup: true }, '-----dh'],
    [{ inactive: true, standby: true, mcast4: true, bcast4: true, mcast6: true, down: true, hwaddrdup: true }, 'ismbMdh'],
  ])('FLAGS %j -> %s', (f, s) => {
    expect(formatFlags(flags(f))).toBe(s);
  });

  it.each([
    [['a'], [], [], 'a'],
    [[], ['b'], [], '(b)'],
    [[], [], ['c', 'd'], '[c d]'],
    [['a', 'b'], ['c'], ['d'], 'a b (c) [d]'],
    [[], [], [], ''],
  ])('INTERFACES %j %j %j -> %s', (active, inactive, unusable, s) => {
    expect(formatGroupInterfaces({ group: 'g', groupname: 'g', state: 'ok', fdtMs: 1, active, inactive, unusable })).toBe(s);
  });
});

describe('JSON (-j)', () => {
  it('-g: one object, stable key order, fdtMs null kept', () => {
    const doc = JSON.parse(renderIpmpstatJson(ORACLE, 'g'));
    expect(Object.keys(doc)).toEqual(['groups']);
    expect(Object.keys(doc.groups[0])).toEqual(['group', 'groupname', 'state', 'fdtMs', 'active', 'inactive', 'unusable']);
    expect(doc.groups[1]).toEqual({ group: 'acctg1', groupname: 'acctg1', state: 'failed', fdtMs: null, active: [], inactive: [], unusable: ['net3', 'net4'] });
  });

  it('-i carries flags as booleans plus the Solaris text', () => {
    const doc = JSON.parse(renderIpmpstatJson(ORACLE, 'i'));
    expect(doc.interfaces[0]).toEqual({
      interface: 'net0', active: true, group: 'ipmp0', flagsText: '--mbM--',
      flags: { inactive: false, standby: false, mcast4: true, bcast4: true, mcast6: true, down: false, hwaddrdup: false },
      link: 'up', probe: 'ok', state: 'ok',
    });
  });

  it('-a and -t are the snapshot data, numeric, unfiltered', () => {
    const a = JSON.parse(renderIpmpstatJson(ORACLE, 'a'));
    expect(a.addresses[3]).toEqual({ address: '128.0.0.102', prefixLen: 16, state: 'down', group: 'field2', inbound: null, outbound: ['net2', 'net5'] });
    const t = JSON.parse(renderIpmpstatJson(ORACLE, 't'));
    expect(t.targets).toHaveLength(ORACLE.targets.length);
    expect(Object.keys(t.targets[0])).toEqual(['interface', 'family', 'mode', 'testAddress', 'targets']);
  });

  it('is byte-stable for the same snapshot and ends with a newline', () => {
    const s = renderIpmpstatJson(ORACLE, 'g');
    expect(s).toBe(renderIpmpstatJson(structuredClone(ORACLE), 'g'));
    expect(s.endsWith('}\n')).toBe(true);
  });

  it('-p -j: one compact line per probe with time in seconds', () => {
    const line = renderProbeJson(PROBES[2]!, START_MS);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim().includes('\n')).toBe(false);
    expect(JSON.parse(line)).toEqual({
      time: -0.25, interface: 'net0', probe: 588, outcome: 'acked', netRttMs: 12.345, rttMs: 13.5, rttAvgMs: 0, rttDevMs: 0, target: '192.168.85.3',
    });
  });
});
