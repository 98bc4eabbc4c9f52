// One pino root logger for the process; components and NICs get child loggers so every
// line says which part and which interface it is about.
import pino, { type Logger, type LevelWithSilent } from 'pino';
import { textLine } from './log-text.js';

export type { Logger };

// journald reads a leading <N> as the syslog priority of a stdout line (sd-daemon(3)).
const JOURNAL_PRIORITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/** Text for a person at a terminal, JSON for everything else (journald, files, pipes). */
export function defaultLogFormat(stdoutIsTty: boolean | undefined): LogFormat {
  return stdoutIsTty ? 'text' : 'json';
}

export interface LogOptions {
  level?: LevelWithSilent;
  /** Prefix each line with a journald priority (<6>{...}); on when running under systemd. */
  journal?: boolean;
  /** 'json' (default): pino's lines as they are; 'text': one readable line per event (log-text.ts). */
  format?: LogFormat;
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const dest = opts.destination ?? pino.destination({ dest: 1, sync: true });
  // The priority is read from the JSON line, so it is taken before the text transform.
  const render = opts.format === 'text' ? textLine : (line: string) => line;
  const stream: pino.DestinationStream = opts.journal
    ? { write: (line: string) => { dest.write(`<${priorityOf(line)}>${render(line)}`); } }
    : opts.format === 'text' ? { write: (line: string) => { dest.write(render(line)); } } : dest;
  return pino({ level: opts.level ?? 'info', base: { svc: 'ipmpd' }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

function priorityOf(line: string): number {
  const m = /"level":(\d+)/.exec(line);
  return JOURNAL_PRIORITY[Number(m?.[1] ?? 30)] ?? 6;
}

/** A logger that drops everything, for library use and unit tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
