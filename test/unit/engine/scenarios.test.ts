// Table-driven event sequences → expected placement, one row per in.mpathd rule.
import { describe, expect, it } from 'vitest';
import type { IpmpConfig } from '../../../src/config/model.js';
import type { GroupState } from '../../../src/control/status.js';
import { Engine } from '../../../src/engine/index.js';
import { config, roles, run, where } from './helpers.js';

interface Expect {
  where?: Record<string, string | null>;
  roles?: string;
  state?: GroupState;
  /** Messages that must appear in this step's log (exact). */
  logs?: string[];
  /** Messages that must not appear in this step's log. */
  noLogs?: string[];
}
type Step = [number, string, Expect?];
interface Scenario {
  name: string;
  cfg: IpmpConfig;
  steps: Step[];
}

// Active-standby: eth0/eth1 carry data, eth2 is the standby.
const AS = (failback = true) =>
  config({
    failback,
    routers: ['192.0.2.1'],
    groups: [{
      name: 'g',
      members: ['eth0', 'eth1', { name: 'eth2', standby: true }],
      data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1']],
    }],
  });
// Outbound spread, three members; eth1 is home of two addresses.
const OS3 = (failback = true) =>
  config({
    failback,
    groups: [{
      name: 'g',
      members: ['eth0', 'eth1', 'eth2'],
      data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1'], ['192.0.2.12/24', 'eth1'], ['192.0.2.13/24', 'eth2']],
    }],
  });
const OS2 = (failback = true) =>
  config({
    failback,
    groups: [{ name: 'g', members: ['eth0', 'eth1'], data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1']] }],
  });
// Two non-standby members and two standbys.
const AS4 = (failback: boolean) =>
  config({
    failback,
    groups: [{
      name: 'g',
      members: ['eth0', 'eth1', { name: 'eth2', standby: true }, { name: 'eth3', standby: true }],
      data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth1']],
    }],
  });

const up3: Step[] = [[0, 'up eth0'], [0, 'up eth1'], [0, 'up eth2']];

const scenarios: Scenario[] = [
  {
    name: 'start-up waits for every link, then places at home; standby inactive (rule 1)',
    cfg: AS(),
    steps: [
      [0, 'up eth0', { where: { '192.0.2.10': null, '192.0.2.11': null }, roles: 'eth0:U eth1:U eth2:U', state: 'failed', noLogs: ['All Interfaces in group g have failed'] }],
      [0, 'up eth1', { where: { '192.0.2.10': null } }],
      [0, 'up eth2', { where: { '192.0.2.10': 'eth0', '192.0.2.11': 'eth1' }, roles: 'eth0:A eth1:A eth2:I', state: 'ok' }],
    ],
  },
  {
    name: 'start-up with a home NIC down places its address on the standby',
    cfg: AS(),
    steps: [
      [0, 'down eth0'], [0, 'up eth1'],
      [0, 'up eth2', { where: { '192.0.2.10': 'eth2', '192.0.2.11': 'eth1' }, roles: 'eth0:F eth1:A eth2:A', state: 'degraded' }],
    ],
  },
  {
    name: 'failure moves to the standby first (even though eth1 is active), standby activated',
    cfg: AS(),
    steps: [
      ...up3,
      [10, 'down eth0', {
        where: { '192.0.2.10': 'eth2', '192.0.2.11': 'eth1' }, roles: 'eth0:F eth1:A eth2:A', state: 'degraded',
        logs: ['The link has gone down on eth0', 'NIC failure detected on eth0 of group g', 'Successfully failed over from NIC eth0 to NIC eth2'],
      }],
    ],
  },
  {
    name: 'standby beats an equally empty active member (config order would pick eth1)',
    cfg: config({ groups: [{ name: 'g', members: ['eth0', 'eth1', { name: 'eth2', standby: true }], data: [['192.0.2.10/24', 'eth0'], ['192.0.2.11/24', 'eth0']] }] }),
    steps: [...up3, [10, 'down eth0', { where: { '192.0.2.10': 'eth2', '192.0.2.11': 'eth2' }, roles: 'eth0:F eth1:A eth2:A' }]],
  },
  {
    name: 'a failed active standby hands over to the next standby (rule 4)',
    cfg: AS4(true),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'], [0, 'up eth2'], [0, 'up eth3'],
      [10, 'down eth0', { roles: 'eth0:F eth1:A eth2:A eth3:I', where: { '192.0.2.10': 'eth2' } }],
      // eth2 (standby) fails: eth3 is activated and, being empty, takes the address.
      [20, 'down eth2', { roles: 'eth0:F eth1:A eth2:F eth3:A', where: { '192.0.2.10': 'eth3' } }],
    ],
  },
  {
    name: 'FAILBACK=yes: repair returns home and re-deactivates the standby (rule 2)',
    cfg: AS(),
    steps: [
      ...up3,
      [10, 'down eth0'],
      [20, 'up eth0', {
        where: { '192.0.2.10': 'eth0', '192.0.2.11': 'eth1' }, roles: 'eth0:A eth1:A eth2:I', state: 'ok',
        logs: ['The link has come up on eth0', 'NIC repair detected on eth0 of group g', 'Successfully failed back to NIC eth0'],
      }],
    ],
  },
  {
    name: 'FAILBACK=no: repaired non-standby becomes inactive and keeps no data (rule 3)',
    cfg: AS(false),
    steps: [
      ...up3,
      [10, 'down eth0', { where: { '192.0.2.10': 'eth2' } }],
      [20, 'up eth0', { where: { '192.0.2.10': 'eth2', '192.0.2.11': 'eth1' }, roles: 'eth0:I eth1:A eth2:A', state: 'ok' }],
      // The standby fails: rule 4 activates the inactive eth0 and its address migrates back.
      [30, 'down eth2', { where: { '192.0.2.10': 'eth0', '192.0.2.11': 'eth1' }, roles: 'eth0:A eth1:A eth2:F' }],
    ],
  },
  {
    name: 'no standby: failover to the member with the fewest data addresses',
    cfg: OS3(),
    steps: [
      ...up3,
      // eth1 holds 2, eth2 holds 1 → eth2.
      [10, 'down eth0', { where: { '192.0.2.10': 'eth2', '192.0.2.11': 'eth1', '192.0.2.12': 'eth1', '192.0.2.13': 'eth2' } }],
      // eth1 fails: both its addresses move together; eth0 failed, eth2 is the only one left.
      [20, 'down eth1', { where: { '192.0.2.10': 'eth2', '192.0.2.11': 'eth2', '192.0.2.12': 'eth2', '192.0.2.13': 'eth2' } }],
      [30, 'up eth1', { where: { '192.0.2.10': 'eth2', '192.0.2.11': 'eth1', '192.0.2.12': 'eth1' } }],
    ],
  },
  {
    name: 'least-loaded ties go to config order',
    cfg: OS2(),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'],
      [10, 'down eth1', { where: { '192.0.2.10': 'eth0', '192.0.2.11': 'eth0' } }],
    ],
  },
  {
    name: 'FAILBACK=no in an outbound-spread group: repaired member inactive, address stays',
    cfg: OS2(false),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'],
      [10, 'down eth0', { where: { '192.0.2.10': 'eth1' }, roles: 'eth0:F eth1:A' }],
      [20, 'up eth0', { where: { '192.0.2.10': 'eth1', '192.0.2.11': 'eth1' }, roles: 'eth0:I eth1:A', state: 'ok' }],
      [30, 'down eth1', { where: { '192.0.2.10': 'eth0', '192.0.2.11': 'eth0' }, roles: 'eth0:A eth1:F' }],
    ],
  },
  {
    name: 'group failure moves nothing; first member to recover takes everything',
    cfg: OS2(),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'],
      [10, 'down eth0', { where: { '192.0.2.10': 'eth1', '192.0.2.11': 'eth1' } }],
      [20, 'down eth1', {
        where: { '192.0.2.10': 'eth1', '192.0.2.11': 'eth1' }, roles: 'eth0:F eth1:F', state: 'failed',
        logs: ['All Interfaces in group g have failed'], noLogs: ['NIC failure detected on eth1 of group g'],
      }],
      [25, 'down eth0', { noLogs: ['All Interfaces in group g have failed'] }],
      [30, 'up eth0', {
        where: { '192.0.2.10': 'eth0', '192.0.2.11': 'eth0' }, roles: 'eth0:A eth1:F', state: 'degraded',
        logs: ['At least 1 interface (eth0) in group g is now usable'],
      }],
      [40, 'up eth1', { where: { '192.0.2.10': 'eth0', '192.0.2.11': 'eth1' }, state: 'ok' }],
    ],
  },
  {
    name: 'FAILBACK=no: the first member of a failed group becomes active (rule 3 exception), the next inactive',
    cfg: OS2(false),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'],
      [10, 'down eth0'], [20, 'down eth1'],
      [30, 'up eth1', { roles: 'eth0:F eth1:A', where: { '192.0.2.10': 'eth1', '192.0.2.11': 'eth1' } }],
      [40, 'up eth0', { roles: 'eth0:I eth1:A', where: { '192.0.2.10': 'eth1' } }],
    ],
  },
  {
    name: 'standby that becomes usable while a non-standby is down is activated (rule 1)',
    cfg: AS(),
    steps: [
      [0, 'up eth0'], [0, 'down eth1'],
      [0, 'missing eth2', { roles: 'eth0:A eth1:F eth2:F', where: { '192.0.2.11': 'eth0' } }],
      [10, 'up eth2', { roles: 'eth0:A eth1:F eth2:A', where: { '192.0.2.11': 'eth0' } }],
      // eth1 repaired: group at capacity again, standby goes inactive (rule 2).
      [20, 'up eth1', { roles: 'eth0:A eth1:A eth2:I', where: { '192.0.2.11': 'eth1' } }],
    ],
  },
  {
    name: 'rule 4 prefers an inactive standby over an inactive non-standby',
    cfg: AS4(false),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'], [0, 'up eth2'],
      [0, 'up eth3', { roles: 'eth0:A eth1:A eth2:I eth3:I' }],
      [10, 'down eth1', { roles: 'eth0:A eth1:F eth2:A eth3:I', where: { '192.0.2.11': 'eth2' } }],
      [20, 'up eth1', { roles: 'eth0:A eth1:I eth2:A eth3:I' }],
      [30, 'down eth0', { roles: 'eth0:F eth1:I eth2:A eth3:A', where: { '192.0.2.10': 'eth3', '192.0.2.11': 'eth2' } }],
    ],
  },
  {
    name: 'rule 5: a group of only standbys still gets one active member',
    cfg: config({ groups: [{ name: 'g', members: [{ name: 'eth0', standby: true }, { name: 'eth1', standby: true }], data: [['192.0.2.10/24', 'eth0']] }] }),
    steps: [
      [0, 'up eth0'],
      [0, 'up eth1', { roles: 'eth0:A eth1:I', where: { '192.0.2.10': 'eth0' } }],
      [10, 'down eth0', { roles: 'eth0:F eth1:A', where: { '192.0.2.10': 'eth1' } }],
    ],
  },
  {
    name: 'link-missing makes a member unusable',
    cfg: OS2(),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'],
      [10, 'missing eth1', { roles: 'eth0:A eth1:F', where: { '192.0.2.11': 'eth0' }, logs: ['Interface eth1 has disappeared'] }],
      [20, 'up eth1', { roles: 'eth0:A eth1:A', where: { '192.0.2.11': 'eth1' } }],
    ],
  },
  {
    name: 'probe failure alone fails a member; repair needs both detectors OK',
    cfg: config({ groups: [{ name: 'g', members: [{ name: 'eth0', test: ['192.0.2.100/24'] }, { name: 'eth1', test: ['192.0.2.101/24'] }], data: [['192.0.2.10/24', 'eth0']] }] }),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'],
      [0, 'probe eth0 ok'], [0, 'probe eth1 ok'],
      [10, 'probe eth0 failed', { roles: 'eth0:F eth1:A', where: { '192.0.2.10': 'eth1' }, logs: ['NIC failure detected on eth0 of group g'] }],
      [20, 'down eth0'],
      [30, 'probe eth0 ok', { roles: 'eth0:F eth1:A' }],
      [40, 'up eth0', { roles: 'eth0:A eth1:A', where: { '192.0.2.10': 'eth0' } }],
      // 'unknown' (no targets) is not a failure.
      [50, 'probe eth1 unknown', { roles: 'eth0:A eth1:A' }],
    ],
  },
  {
    name: 'offline moves addresses away, undo brings them back (FAILBACK=yes)',
    cfg: AS(),
    steps: [
      ...up3,
      [10, 'offline eth0', { roles: 'eth0:O eth1:A eth2:A', where: { '192.0.2.10': 'eth2' }, logs: ['eth0 has been offlined'] }],
      [20, 'undo eth0', { roles: 'eth0:A eth1:A eth2:I', where: { '192.0.2.10': 'eth0' } }],
    ],
  },
  {
    name: 'undo with FAILBACK=no: NIC active again but addresses stay',
    cfg: OS2(false),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'],
      [10, 'offline eth0', { where: { '192.0.2.10': 'eth1' } }],
      [20, 'undo eth0', { roles: 'eth0:A eth1:A', where: { '192.0.2.10': 'eth1' } }],
    ],
  },
  {
    name: 'undo while the link is down leaves the member failed',
    cfg: OS2(),
    steps: [
      [0, 'up eth0'], [0, 'up eth1'],
      [10, 'offline eth0'],
      [15, 'down eth0', { roles: 'eth0:O eth1:A' }],
      [20, 'undo eth0', { roles: 'eth0:F eth1:A', where: { '192.0.2.10': 'eth1' } }],
      [30, 'up eth0', { roles: 'eth0:A eth1:A', where: { '192.0.2.10': 'eth0' } }],
    ],
  },
  {
    name: 'offline and undo before start-up completes: placed once every link is known (fast-check regression)',
    cfg: OS2(false),
    steps: [
      [0, 'offline eth1'], [0, 'up eth1'], [0, 'undo eth1', { roles: 'eth0:U eth1:U', where: { '192.0.2.10': null } }],
      [0, 'up eth0', { roles: 'eth0:A eth1:A', where: { '192.0.2.10': 'eth0', '192.0.2.11': 'eth1' } }],
    ],
  },
  {
    name: 'down data addresses are never placed',
    cfg: config({ groups: [{ name: 'g', members: ['eth0', 'eth1'], data: [['192.0.2.10/24', 'eth0', { up: false }], ['192.0.2.11/24', 'eth1']] }] }),
    steps: [
      [0, 'up eth0'],
      [0, 'up eth1', { where: { '192.0.2.10': null, '192.0.2.11': 'eth1' } }],
      [10, 'down eth1', { where: { '192.0.2.10': null, '192.0.2.11': 'eth0' } }],
    ],
  },
];

describe('engine scenarios', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const engine = new Engine(s.cfg, 0);
    s.steps.forEach(([t, text, exp], i) => {
      const r = run(engine, text, t);
      const ctx = `step ${i} (${text} @${t})`;
      if (!exp) return;
      if (exp.where) expect(where(r.placement), ctx).toMatchObject(exp.where);
      if (exp.roles) expect(roles(r.placement), ctx).toBe(exp.roles);
      if (exp.state) expect(r.placement.groups[0]?.state, ctx).toBe(exp.state);
      const msgs = r.log.map((l) => l.msg);
      for (const m of exp.logs ?? []) expect(msgs, ctx).toContain(m);
      for (const m of exp.noLogs ?? []) expect(msgs, ctx).not.toContain(m);
      // The returned placement is what placement() reports.
      expect(engine.placement(), ctx).toEqual(r.placement);
    });
  });
});
