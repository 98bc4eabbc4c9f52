// loadConfig: the daemon's entry point on disk inputs (YAML, Solaris root, etc/, ipadm).
import { describe, expect, test } from 'vitest';
import { formatFinding, hasErrors, loadConfig } from '../../../src/config/load.js';

describe('loadConfig', () => {
  test('Solaris 11 root with an ipadm build script next to etc/', async () => {
    const r = await loadConfig('test/fixtures/solaris/s11-ipadm', { map: { net0: 'eth0', net1: 'eth1', net2: 'eth2' } });
    expect(r.source).toBe('solaris');
    expect(hasErrors(r.findings)).toBe(false);
    expect(r.config).toMatchObject({
      mpathd: { failureDetectionTime: 5000 },
      defaultRouters: ['203.0.113.1'],
      groups: [{
        name: 'web0', mode: 'active-standby',
        interfaces: [
          { name: 'eth0', standby: false, testAddresses: ['203.0.113.11/24'] },
          { name: 'eth1', standby: false, testAddresses: ['203.0.113.12/24'] },
          { name: 'eth2', standby: true, testAddresses: ['203.0.113.13/24'] },
        ],
        dataAddresses: [
          { address: '203.0.113.20/24', interface: 'eth0' },
          { address: '203.0.113.21/24', interface: 'eth1' },
        ],
      }],
    });
    expect(r.findings.map(formatFinding)).toContain('info FILE_IGNORED etc/ipadm/ipadm.conf:0 the persistent ipadm store is not read because the ipadm script ipadm-network.sh describes the same host; remove the script to migrate the store instead');
  });

  test('a root and its etc/ give the same result', async () => {
    const a = await loadConfig('test/fixtures/solaris/appserver-seed');
    const b = await loadConfig('test/fixtures/solaris/appserver-seed/etc');
    expect(b).toEqual(a);
    expect(a.findings.map((f) => `${f.code}@${f.file}`)).toEqual(['UNMAPPED_INTERFACE@etc/hostname.ce0', 'DUPLICATE_DATA_ADDRESS@etc/hostname.ce1', 'UNMAPPED_INTERFACE@etc/hostname.ce1']);
  });

  test('missing path: INPUT_UNREADABLE naming it, no config', async () => {
    const r = await loadConfig('/nonexistent/ipmpd.yaml');
    expect(r).toMatchObject({ config: null, source: 'yaml', findings: [{ code: 'INPUT_UNREADABLE', file: '/nonexistent/ipmpd.yaml', line: 0 }] });
  });
});
