// How Solaris boot scripts see a hostname file: `while read line` (no -r) followed by an
// unquoted `$line` expansion. So a trailing backslash joins the next line, `\x` becomes x,
// quotes are ordinary characters, `#` is an ordinary word, and words split on IFS blanks
// (space, tab; a CR from DOS line endings stays glued to the last word).

export interface ReadRecord {
  /** Words as the command receives them after unquoted expansion. */
  words: string[];
  /** 1-based physical line where this read started. */
  line: number;
  /** Last physical line consumed (differs from `line` after continuations). */
  endLine: number;
  /** The read hit end of file before a newline (POSIX `read` then returns false). */
  unterminated: boolean;
  /** Some word was joined across a backslash-newline. */
  continued: boolean;
}

export function shellReadLines(text: string): ReadRecord[] {
  const out: ReadRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    let value = '';
    let continued = false;
    let terminated = false;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') {
        if (i + 1 >= text.length) { i++; break; } // lone backslash at EOF: dropped
        const n = text[i + 1]!;
        i += 2;
        if (n === '\n') { line++; continued = true; continue; }
        // An escaped blank survives `read` but the unquoted expansion splits it anyway.
        value += n;
        continue;
      }
      i++;
      if (c === '\n') { terminated = true; break; }
      value += c;
    }
    const words = value.split(/[ \t]+/).filter((w) => w !== '');
    out.push({ words, line: start, endLine: line, unterminated: !terminated, continued });
    if (terminated) line++;
  }
  return out;
}
