// Table tests of the small parsers: addresses, inet_addr, netmasks lookup, mpathd defaults.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FindingSink } from '../../../src/config/findings.js';
import {
  formatIpv6, inetAddr, maskToPrefix, normalizeCidr, parseIpv4, parseIpv6,
} from '../../../src/config/ip-address.js';
import { parseMpathdDefaults, strtol0 } from '../../../src/config/mpathd-defaults.js';
import { parseNetmasksFile } from '../../../src/config/netmasks-db.js';
import { splitShellCommands } from '../../../src/config/shell-commands.js';

describe('addresses', () => {
  test.each([
    ['192.0.2.1', true], ['192.0.2.256', false], ['192.0.2', false], ['1.2.3.4.5', false], ['a.b.c.d', false],
  ])('parseIpv4 %s', (s, ok) => expect(parseIpv4(s) !== null).toBe(ok));

  test.each([
    ['2001:db8::1', '2001:db8::1'], ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'], ['::', '::'], ['::1', '::1'],
    ['fe80::a00:20ff:feb9:19fa', 'fe80::a00:20ff:feb9:19fa'], ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ])('IPv6 %s → %s', (inp, out) => expect(formatIpv6(parseIpv6(inp)!)).toBe(out));

  test.each(['1::2::3', '12345::', ':::', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7'])('bad IPv6 %s', (s) => expect(parseIpv6(s)).toBeNull());

  test('IPv6 format/parse round trip on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      expect(parseIpv6(formatIpv6(b))).toEqual(b);
    }));
  });

  test.each([
    ['10', 10], ['192.9.200', (192 << 24 | 9 << 16 | 200) >>> 0], ['0x0a.1', (10 << 24 | 1) >>> 0], ['010.0.0.1', (8 << 24 | 1) >>> 0],
    ['255.255.255.255', null], ['1.2.3.4.5', null], ['1..2', null],
  ])('inet_addr %s', (s, v) => expect(inetAddr(s)).toBe(v));

  test.each([[0xffffff00, 24], [0, 0], [0xffffffff, 32], [0xff00ff00, null]])('maskToPrefix %i', (m, p) => expect(maskToPrefix(m)).toBe(p));
  test('normalizeCidr', () => {
    expect(normalizeCidr('2001:DB8::0001/64')).toBe('2001:db8::1/64');
    expect(normalizeCidr('192.0.2.1/33')).toBeNull();
    expect(normalizeCidr('192.0.2.1')).toBeNull();
  });
});

describe('netmasks', () => {
  test('comments, bad lines, first entry wins', () => {
    const sink = new FindingSink();
    const db = parseNetmasksFile('# c\n192.0.2.0 255.255.255.0 # web\n192.0.2.0 255.255.0.0\nbogus\n', 'nm', sink);
    expect(db.lookup(parseIpv4('192.0.2.9')!.reduce((a, b) => a * 256 + b, 0))?.prefix).toBe(24);
    expect(sink.list.map((f) => [f.code, f.line])).toEqual([['NETMASKS_BAD_LINE', 4]]);
  });
});

describe('/etc/default/mpathd', () => {
  const parse = (text: string) => { const sink = new FindingSink(); return { ...parseMpathdDefaults(text, 'm', sink), codes: sink.list.map((f) => f.code) }; };
  test.each([
    ['FAILURE_DETECTION_TIME=10000', 10000, []],
    ['failure_detection_time=20000', 20000, []],
    ['FAILURE_DETECTION_TIME=10', 100, ['FDT_LOOKS_LIKE_SECONDS', 'FDT_CLAMPED']],
    ['FAILURE_DETECTION_TIME=60', 100, ['FDT_LOOKS_LIKE_SECONDS', 'FDT_CLAMPED']],
    ['FAILURE_DETECTION_TIME=99', 100, ['FDT_CLAMPED']],
    ['FAILURE_DETECTION_TIME=0x2710', 10000, []],
    ['FAILURE_DETECTION_TIME=010000', 4096, ['INVALID_MPATHD_VALUE']],
    ['FAILURE_DETECTION_TIME=5000ms', 5000, ['INVALID_MPATHD_VALUE']],
    ['FAILURE_DETECTION_TIME=abc', 10000, ['INVALID_MPATHD_VALUE']],
    ['FAILURE_DETECTION_TIME=-5', 10000, ['INVALID_MPATHD_VALUE']],
    ['FAILURE_DETECTION_TIME=', 10000, ['INVALID_MPATHD_VALUE']],
    [' FAILURE_DETECTION_TIME=500', 10000, ['INVALID_MPATHD_VALUE']],
  ] as const)('%s → %i', (text, fdt, codes) => {
    const r = parse(`${text}\n`);
    expect(r.settings.failureDetectionTime).toBe(fdt);
    expect(r.codes).toEqual(codes);
  });

  test.each([
    ['FAILBACK=no', false, []], ['FAILBACK=NO', false, []], ['Failback=Yes', true, []], ['FAILBACK=nope', false, ['INVALID_MPATHD_VALUE']],
    ['FAILBACK=yesterday', true, ['INVALID_MPATHD_VALUE']], ['FAILBACK=off', true, ['INVALID_MPATHD_VALUE']], ['FAILBACK="no"', true, ['INVALID_MPATHD_VALUE']],
  ] as const)('%s', (text, fb, codes) => {
    const r = parse(`${text}\n`);
    expect(r.settings.failback).toBe(fb);
    expect(r.codes).toEqual(codes);
  });

  test('TRACK_INTERFACES_ONLY_WITH_GROUPS and first-wins duplicates', () => {
    const r = parse('TRACK_INTERFACES_ONLY_WITH_GROUPS=no\nTRACK_INTERFACES_ONLY_WITH_GROUPS=yes\n#FAILBACK=no\n');
    expect(r.settings).toEqual({ failureDetectionTime: 10000, failback: true, trackInterfacesOnlyWithGroups: false });
    expect(r.codes).toEqual(['DUPLICATE_MPATHD_KEY']);
  });

  test.each([['42', 42], ['  +17x', 17], ['0x', 0], ['0X1f', 31], ['-010', -8], ['08', 0]])('strtol %j', (s, v) => expect(strtol0(s)).toBe(v));
});

describe('shell commands (ipadm scripts)', () => {
  test('comments, quotes, continuations, separators', () => {
    const cmds = splitShellCommands("# hdr\nipadm create-ipmp \\\n  -i net0 ipmp0 # grp\nipadm set-ifprop -p 'standby=on' net1; echo \"$X\" && true\n");
    expect(cmds.map((c) => [c.line, c.words, c.needsExpansion])).toEqual([
      [2, ['ipadm', 'create-ipmp', '-i', 'net0', 'ipmp0'], false],
      [4, ['ipadm', 'set-ifprop', '-p', 'standby=on', 'net1'], false],
      [4, ['echo', '$X'], true],
      [4, ['true'], false],
    ]);
  });
});
