// Under systemd (StandardOutput=journal) every log line starts with <N>, the syslog priority
// journald assigns to it: what the unit's "log lines carry journald priorities" relies on.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';

function capture(journal: boolean): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const log = createLogger({ level: 'trace', journal, destination: { write: (s: string) => { lines.push(s); } } });
  return { lines, log };
}

describe('journald priority prefixes', () => {
  it.each([
    ['trace', 7], ['debug', 7], ['info', 6], ['warn', 4], ['error', 3], ['fatal', 2],
  ] as const)('%s lines carry <%d>', (level, priority) => {
    const { lines, log } = capture(true);
    log[level]({ nic: 'eth1' }, 'NIC failure detected');
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line.startsWith(`<${priority}>{`)).toBe(true);
    // The rest is still one JSON object: journald strips only the prefix.
    const body = JSON.parse(line.slice(line.indexOf('{'))) as { msg: string; nic: string };
    expect(body).toMatchObject({ msg: 'NIC failure detected', nic: 'eth1' });
  });

  it('writes plain JSON lines when not under systemd', () => {
    const { lines, log } = capture(false);
    log.warn('x');
    expect(lines[0]?.startsWith('{')).toBe(true);
  });
});
