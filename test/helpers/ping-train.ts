// A client's view of an outage: iputils ping in the client namespace, one echo every few ms
// for a fixed count, in its own process (so a busy test process cannot delay the sends).
// Counts what was lost and the largest gap between consecutive replies (ping -D stamps).
import { spawn } from 'node:child_process';

export interface PingTrain {
  transmitted: number;
  received: number;
  lost: number;
  /** Largest gap between consecutive replies, ms (includes the ping interval itself). */
  maxGapMs: number;
}

export interface PingTrainOptions { intervalMs: number; count: number; timeoutS?: number }

/** Parses `ping -D -n` output: reply lines "[epoch.frac] N bytes from ..." and the summary. */
export function parsePingOutput(text: string): PingTrain {
  const stamps: number[] = [];
  for (const m of text.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)) stamps.push(Number(m[1]) * 1000);
  const summary = /(\d+) packets transmitted, (\d+) received/.exec(text);
  if (!summary) throw new Error(`ping printed no summary: ${text.slice(-300)}`);
  let maxGapMs = 0;
  for (let i = 1; i < stamps.length; i++) maxGapMs = Math.max(maxGapMs, (stamps[i] as number) - (stamps[i - 1] as number));
  const transmitted = Number(summary[1]);
  const received = Number(summary[2]);
  return { transmitted, received, lost: transmitted - received, maxGapMs };
}

/** Runs the train to its end; `started` resolves once ping has begun sending. */
export function pingTrain(ns: string, address: string, o: PingTrainOptions): { started: Promise<void>; done: Promise<PingTrain> } {
  const child = spawn('ip', ['netns', 'exec', ns, 'ping', '-D', '-n', '-i', String(o.intervalMs / 1000), '-c', String(o.count),
    '-W', String(o.timeoutS ?? 1), address], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let begin: () => void = () => undefined;
  const started = new Promise<void>((resolve) => { begin = resolve; });
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    if (/bytes from/.test(out)) begin();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
  const done = new Promise<PingTrain>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      begin();
      try { resolve(parsePingOutput(out)); } catch (e) { reject(new Error(`${(e as Error).message} ${err}`)); }
    });
  });
  return { started, done };
}
