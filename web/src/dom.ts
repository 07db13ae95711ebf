/**
 * Building elements without markup: text always goes in as text (every string from the daemon was
 * written by a session or a caller and is hostile), and nothing sets a style attribute (the CSP
 * forbids inline styles; classes carry the look).
 */
type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'style') throw new Error('inline styles are forbidden by the Content-Security-Policy');
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return element;
}

/** Replaces what an element shows. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/**
 * Characters that draw nothing or change how the text around them is drawn: controls (but tab and line
 * feed), format characters (bidirectional embeddings, overrides and isolates, zero-width spaces and
 * joiners, the soft hyphen, the byte order mark) and line or paragraph separators. In a command they
 * make it read as another one (an override draws what follows backwards).
 */
const HIDDEN = /(?![\t\n])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** Text with each hidden character shown as its code point (`U+202E`), marked, for what a person must read as it is. */
export function visibly(text: string): Array<Node | string> {
  const parts: Array<Node | string> = [];
  let from = 0;
  for (const match of text.matchAll(HIDDEN)) {
    if (match.index > from) parts.push(text.slice(from, match.index));
    const code = `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    parts.push(h('span', { class: 'hidden-char', title: 'a character that draws nothing or changes how text is drawn' }, `⟨${code}⟩`));
    from = match.index + match[0].length;
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function dollars(cost: number | null | undefined): string {
  return cost === null || cost === undefined ? '–' : `$${cost.toFixed(cost < 1 ? 4 : 2)}`;
}

export function tokens(n: number): string {
  return n < 10_000 ? String(n) : n < 10_000_000 ? `${(n / 1000).toFixed(1)}k` : `${(n / 1_000_000).toFixed(1)}M`;
}
