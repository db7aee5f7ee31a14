import { api } from '../api.js';
import { emptyState, h, table } from '../dom.js';
import { showError } from '../notices.js';

/** The components of a revision (the latest by default; a select picks another). */
export function componentsPanel({ branchId, revisions, signal }) {
  if (revisions.length === 0) return emptyState('No revision yet — upload a zip to see its components.');
  const list = h('div', {});
  const select = h(
    'select',
    { id: 'components-revision' },
    revisions.map((r) => h('option', { value: r.number }, `#${r.number}`)),
  );
  async function load() {
    try {
      const { items } = await api(`/api/branches/${branchId}/components?revision=${select.value}`, { signal });
      list.replaceChildren(
        table({
          caption: `Components of revision #${select.value}`,
          testid: 'components-table',
          headers: ['Type', 'Name', 'Parent', 'Files'],
          rows: items.map((c) => [
            c.type,
            c.fullName,
            c.parent ? `${c.parent.type}: ${c.parent.fullName}` : '',
            c.files.map((f) => h('div', { class: 'sub' }, h('code', {}, f.path))),
          ]),
        }),
      );
    } catch (error) {
      showError(error);
    }
  }
  select.addEventListener('change', load);
  void load();
  return h(
    'div',
    {},
    h('div', { class: 'field inline' }, h('label', { for: 'components-revision' }, 'Revision'), select),
    list,
  );
}
