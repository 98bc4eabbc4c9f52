// A small sh tokenizer for admin build scripts (ipadm command files): enough to pull simple
// commands out of real scripts. Handles comments, quotes, backslash continuations and the
// separators ; && || | & — no expansion: a word containing $ or ` is flagged instead.

export interface ShellCommand {
  words: string[];
  /** 1-based line where the command starts. */
  line: number;
  /** Some word needed parameter or command substitution, which we do not perform. */
  needsExpansion: boolean;
}

export function splitShellCommands(text: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let needsExpansion = false;
  let line = 1;
  let cmdLine = 1;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) out.push({ words, line: cmdLine, needsExpansion });
    words = [];
    needsExpansion = false;
  };
  const startWord = (): void => {
    if (!inWord && words.length === 0) cmdLine = line;
    inWord = true;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      const n = text[i + 1];
      if (n === '\n') { line++; i += 2; continue; }
      startWord();
      if (n !== undefined) word += n;
      i += 2;
      continue;
    }
    if (c === "'") {
      startWord();
      const end = text.indexOf("'", i + 1);
      const stop = end === -1 ? text.length : end;
      const chunk = text.slice(i + 1, stop);
      line += chunk.split('\n').length - 1;
      word += chunk;
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      startWord();
      i++;
      while (i < text.length && text[i] !== '"') {
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1]!)) {
          if (text[i + 1] === '\n') line++; else word += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' || d === '`') needsExpansion = true;
        if (d === '\n') line++;
        word += d;
        i++;
      }
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\n') { endCommand(); line++; i++; continue; }
    if (c === ';' || c === '&' || c === '|') {
      endCommand();
      i += text[i + 1] === c ? 2 : 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') { endWord(); i++; continue; }
    if (c === '$' || c === '`') needsExpansion = true;
    startWord();
    word += c;
    i++;
  }
  endCommand();
  return out;
}
