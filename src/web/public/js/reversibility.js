import { h } from './dom.js';

const LABELS = {
  reversible: ['reversible', 'tone-ok'],
  dataLoss: ['reversible with data loss', 'tone-warn'],
  manual: ['manual', 'tone-failed'],
};

/** What rolling a component back can undo: a badge, and for the others the reason and a checklist a person ticks off. */
export function reversibilityNode(r, { withReason = true } = {}) {
  if (!r) return null;
  const [text, tone] = LABELS[r.label] ?? [r.label, ''];
  const badge = h('span', { class: `badge ${tone}`, testid: 'reversibility', title: r.reason }, text);
  if (!withReason || r.label === 'reversible') return badge;
  return h(
    'div',
    { class: 'reversibility', testid: `reversibility-${r.label}` },
    badge,
    h('p', { class: 'hint' }, r.reason),
    r.checklist.length
      ? h(
          'ul',
          { class: 'checklist', 'aria-label': 'What a person does' },
          r.checklist.map((step) => h('li', {}, h('label', {}, h('input', { type: 'checkbox' }), ' ', step))),
        )
      : null,
  );
}
