/** Tokens and cost per session and in total, over the sessions the caller may see. */
import type { AppContext, View } from '../app-context.js';
import { dollars, h, show, tokens } from '../dom.js';
import type { Session } from '../types.js';

export function spendView(app: AppContext): View {
  const table = h('div', { class: 'spend-table' });
  const draw = () => {
    const sessions = app.store.list();
    const total = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
    for (const s of sessions) {
      total.inputTokens += s.usage.inputTokens;
      total.outputTokens += s.usage.outputTokens;
      total.cacheReadTokens += s.usage.cacheReadTokens;
      total.cacheWriteTokens += s.usage.cacheWriteTokens;
      total.costUsd += s.usage.costUsd ?? 0;
    }
    const row = (label: Node | string, u: Session['usage'], cls = '') =>
      h('tr', { class: cls }, h('td', {}, label), h('td', { class: 'num' }, tokens(u.inputTokens)), h('td', { class: 'num' }, tokens(u.outputTokens)),
        h('td', { class: 'num' }, tokens(u.cacheReadTokens + u.cacheWriteTokens)), h('td', { class: 'num' }, dollars(u.costUsd)));
    show(table, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'session'), h('th', {}, 'input'), h('th', {}, 'output'), h('th', {}, 'cache'), h('th', {}, 'cost'))),
      h('tbody', {}, ...sessions.map((s) => row(h('a', { href: `#/session/${encodeURIComponent(s.id)}` }, s.name ?? s.id.slice(0, 8)), s.usage))),
      h('tfoot', {}, row('total', total, 'total'))));
  };
  const unsubscribe = app.store.subscribe(draw);
  draw();
  return { element: h('main', { class: 'spend-page' }, h('h2', {}, 'Spend'), table), dispose: unsubscribe };
}
