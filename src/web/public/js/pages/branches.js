import { api } from '../api.js';
import { emptyState, h, table, timeElement } from '../dom.js';
import { navigate } from '../navigation.js';
import { showError } from '../notices.js';

/** Every branch with its latest revision, and a form to create one. */
export async function branchesPage({ main, signal }) {
  const { items } = await api('/api/branches', { signal });
  const name = h('input', {
    id: 'branch-name',
    name: 'name',
    required: true,
    maxlength: 200,
    autocomplete: 'off',
    placeholder: 'e.g. release-24',
  });
  const form = h(
    'form',
    { class: 'inline-form', testid: 'create-branch' },
    h('div', { class: 'field' }, h('label', { for: 'branch-name' }, 'New branch'), name),
    h('button', { type: 'submit' }, 'Create branch'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const branch = await api('/api/branches', { method: 'POST', json: { name: name.value.trim() } });
      navigate(`#/branches/${branch.id}`);
    } catch (error) {
      showError(error);
    }
  });
  main.append(
    h('h1', {}, 'Branches'),
    form,
    items.length === 0
      ? emptyState('No branches yet — create one, then upload a zip of an SFDX project as its first revision.')
      : table({
          caption: 'Branches',
          testid: 'branches-table',
          headers: ['Branch', 'Latest revision', 'Components', 'Uploaded', 'Created'],
          rows: items.map((b) => [
            h('a', { href: `#/branches/${b.id}` }, b.name),
            b.latestRevision ? `#${b.latestRevision.number} (${b.latestRevision.format} format)` : 'none yet',
            b.latestRevision?.componentCount ?? '—',
            b.latestRevision ? timeElement(b.latestRevision.createdAt) : '—',
            timeElement(b.createdAt),
          ]),
        }),
  );
}
