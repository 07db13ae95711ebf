/**
 * What the router measures in a task's text: its length, the files it names and the steps it lists.
 * Plain pattern counts, so the same text always measures the same and a reason can say what was seen.
 */

export interface TaskSignals {
  /** Characters of the task, surrounding whitespace left out. */
  chars: number;
  /** Distinct file paths named, in the order first seen. */
  files: string[];
  /** Items of a numbered or bulleted list; else 1 plus each "then", "after that", "finally". */
  steps: number;
}

/** Extensions that make a word a file name (`README.md`, `src/app.ts`). */
const FILE_EXTENSIONS = [
  'ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'json', 'md', 'mdx', 'py', 'go', 'rs', 'java', 'kt', 'rb', 'php', 'c', 'h', 'cc', 'cpp', 'hpp',
  'cs', 'swift', 'scala', 'sql', 'yml', 'yaml', 'toml', 'ini', 'cfg', 'conf', 'sh', 'bash', 'zsh', 'ps1', 'css', 'scss', 'less', 'html',
  'vue', 'svelte', 'txt', 'csv', 'xml', 'proto', 'tf', 'gradle', 'lock', 'env', 'dockerfile', 'lua', 'ex', 'exs', 'erl', 'hs', 'ml', 'dart',
];
/** A word with a known extension, maybe with directories before it; or a path beginning with `./`, `../`, `/` or `~/`, or ending with `/`. */
const FILE_PATTERN = new RegExp(
  String.raw`(?<![\w/.~-])(?:` +
    String.raw`(?:[\w.~-]+/)*[\w-][\w.-]*\.(?:${FILE_EXTENSIONS.join('|')})(?![\w])` +
    String.raw`|(?:\.{1,2}/|~/|/)[\w.-]+(?:/[\w.-]+)*/?` +
    String.raw`|[\w-]+(?:/[\w.-]+)*/(?![\w.-])` +
    String.raw`)`,
  'gi',
);
const LIST_ITEM = /^[ \t]*(?:\d{1,3}[.)]|[-*•])[ \t]+\S/gm;
const SEQUENCE_WORDS = /\b(?:then|after that|afterwards|finally)\b/gi;

export function measureTask(task: string): TaskSignals {
  const text = task.trim();
  const files = [...new Set([...text.matchAll(FILE_PATTERN)].map((match) => match[0].replace(/[.]+$/, '')))];
  const listItems = text.match(LIST_ITEM)?.length ?? 0;
  const steps = listItems >= 2 ? listItems : 1 + (text.match(SEQUENCE_WORDS)?.length ?? 0);
  return { chars: text.length, files, steps };
}
