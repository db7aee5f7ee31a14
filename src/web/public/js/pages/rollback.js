import { api } from '../api.js';
import { emptyState, formatTime, h, shortId, table, testLevelFields, testOptions } from '../dom.js';
import { navigate } from '../navigation.js';
import { flashAfterNavigation, showError } from '../notices.js';
import { reversibilityNode } from '../reversibility.js';
import { componentDiffPanel } from './component-diff.js';

const keyOf = (c) => `${c.type}:${c.fullName}`;

/** Types whose records live in the org: deleting them loses the records, recreating them cannot bring them back. */
const HOLDS_DATA = new Set(['CustomObject', 'CustomField', 'BigObject', 'CustomMetadata']);

/** The sentence a release manager reads before Run when the selection deletes or recreates data-holding metadata. */
export function dataWarning(picked) {
  const recreate = picked.filter((c) => c.rollbackAction === 'recreate' && HOLDS_DATA.has(c.type));
  const remove = picked.filter((c) => c.rollbackAction === 'delete' && HOLDS_DATA.has(c.type));
  const names = (list) =>
    list.slice(0, 3).map(keyOf).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');
  const parts = [];
  if (recreate.length) {
    parts.push(
      `Recreating ${names(recreate)} brings back the definition (an object with its fields), not its data: ` +
        'records deleted with it cannot come back.',
    );
  }
  if (remove.length) parts.push(`Deleting ${names(remove)} also deletes the data stored in it since the deploy.`);
  return parts.join(' ');
}

/**
 * The confirmation a selection that loses data needs (acceptDataLoss): a checkbox naming those components, shown
 * only while the selection holds some. `needed(picked)` updates it and says whether Run must wait for the tick.
 */
export function dataLossConfirmation() {
  const box = h('input', {
    id: 'rollback-accept-data-loss',
    name: 'acceptDataLoss',
    type: 'checkbox',
    testid: 'accept-data-loss',
  });
  const label = h('label', { for: 'rollback-accept-data-loss' });
  const node = h('div', { class: 'check', testid: 'data-loss-confirmation', hidden: true }, box, label);
  return {
    node,
    box,
    needed(picked) {
      const losing = picked.filter((c) => c.reversibility?.label === 'dataLoss');
      node.hidden = losing.length === 0;
      if (losing.length === 0) box.checked = false;
      label.textContent =
        `I accept that rolling back ${losing.map(keyOf).join(', ')} loses data ` +
        '(deleted with its values, or recreated empty).';
      return losing.length > 0 && !box.checked;
    },
  };
}

/**
 * "Changed by Deploy <short id> on <date> — roll that back first", linking to that deploy, for a component a later
 * deploy of the org changed (`changedLaterBy` of the candidate); null for the others.
 */
export function changedLaterNote(c) {
  const later = c.changedLaterBy;
  if (!later) return null;
  return h(
    'div',
    { class: 'sub', testid: 'changed-later' },
    'Changed by ',
    h('a', { href: `#/jobs/${later.jobId}` }, `Deploy ${shortId(later.jobId)}`),
    ` on ${formatTime(later.at)} — roll that back first`,
  );
}

/**
 * Picks what to roll back of a Completed deploy: the components it changed, each with the action rollback takes.
 * Add moves a row to the selection, Add all moves every available one; Run starts the Rollback job.
 */
export async function rollbackPage({ main, params: [jobId], signal }) {
  const [deploy, plan] = await Promise.all([
    api(`/api/jobs/${jobId}`, { signal }),
    api(`/api/jobs/${jobId}/rollback`, { signal }),
  ]);
  const branch = await api(`/api/branches/${deploy.branchId}`, { signal });
  main.append(
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/branches/${branch.id}/activities` }, branch.name),
      ' / ',
      h('a', { href: `#/jobs/${jobId}` }, `Deploy ${shortId(jobId)}`),
      ' / ',
    ),
    h('h1', {}, `Roll back Deploy ${shortId(jobId)}`),
  );
  if (!plan.rollbackable) {
    main.append(emptyState(plan.reason));
    return;
  }
  if (plan.items.length === 0) {
    main.append(emptyState('This deploy changed nothing, so there is nothing to roll back.'));
    return;
  }

  const selected = new Set();
  const available = plan.items.filter((c) => c.available);
  const candidatesView = h('div', {});
  const selectionView = h('div', {});
  const addAll = h(
    'button',
    {
      type: 'button',
      testid: 'add-all',
      onClick: () => change(() => available.forEach((c) => selected.add(keyOf(c)))),
    },
    'Add all',
  );
  const run = h('button', { type: 'submit', class: 'primary', testid: 'run-rollback' }, 'Run');
  const warning = h('div', { class: 'warning', role: 'note', testid: 'data-warning', hidden: true });
  const confirmation = dataLossConfirmation();
  const diffView = h('div', {});
  let diffAbort = null;
  /** Opens the three-way diff of one component below the lists (one at a time). */
  function showDiff(c) {
    diffAbort?.abort();
    diffAbort = new AbortController();
    signal.addEventListener('abort', () => diffAbort.abort(), { once: true });
    const onClose = () => diffView.replaceChildren();
    const panel = componentDiffPanel({ jobId, component: c, signal: diffAbort.signal, onClose });
    diffView.replaceChildren(panel);
    panel.querySelector('h2').setAttribute('tabindex', '-1');
    panel.querySelector('h2').focus();
  }
  const diffButton = (c) =>
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        testid: 'show-diff',
        'aria-label': `Diff of ${c.type} ${c.fullName}`,
        onClick: () => showDiff(c),
      },
      'Diff',
    );

  /** Applies a selection change, then keeps keyboard focus near where it was (the row's button moved away). */
  function change(mutate, view = null, index = 0) {
    mutate();
    render();
    const buttons = view ? [...view.querySelectorAll('button:not([disabled]):not([data-testid="show-diff"])')] : [];
    (buttons[Math.min(index, buttons.length - 1)] ?? (run.disabled ? addAll : run)).focus();
  }

  function render() {
    const open = plan.items.filter((c) => !selected.has(keyOf(c)));
    const picked = plan.items.filter((c) => selected.has(keyOf(c)));
    addAll.disabled = open.every((c) => !c.available);
    run.disabled = confirmation.needed(picked) || picked.length === 0;
    const warningText = dataWarning(picked);
    warning.textContent = warningText;
    warning.hidden = !warningText;
    candidatesView.replaceChildren(
      open.length === 0
        ? emptyState('Every changed component is selected.')
        : table({
            caption: 'Changed components',
            testid: 'rollback-candidates',
            headers: ['Type', 'Name', 'The deploy', 'Rollback will', 'Undoes', 'Changes', ''],
            rowAttrs: (i) => ({ 'data-component': keyOf(open[i]) }),
            rows: open.map((c, i) => [
              c.type,
              [c.fullName, changedLaterNote(c)],
              c.deployAction,
              c.rollbackAction,
              reversibilityNode(c.reversibility),
              diffButton(c),
              c.available
                ? h(
                    'button',
                    {
                      type: 'button',
                      'aria-label': `Add ${c.type} ${c.fullName}`,
                      onClick: () => change(() => selected.add(keyOf(c)), candidatesView, i),
                    },
                    'Add',
                  )
                : [
                    h('button', { type: 'button', disabled: true, 'aria-label': `Add ${c.type} ${c.fullName}` }, 'Add'),
                    h('div', { class: 'sub', testid: 'unavailable-reason' }, c.reason),
                  ],
            ]),
          }),
    );
    selectionView.replaceChildren(
      picked.length === 0
        ? emptyState('Nothing selected yet — Add components from the list, or Add all.')
        : table({
            caption: 'Selected for rollback',
            testid: 'rollback-selection',
            headers: ['Type', 'Name', 'Rollback will', 'Undoes', 'Changes', ''],
            rowAttrs: (i) => ({ 'data-component': keyOf(picked[i]) }),
            rows: picked.map((c, i) => [
              c.type,
              [c.fullName, changedLaterNote(c)],
              c.rollbackAction,
              reversibilityNode(c.reversibility),
              diffButton(c),
              h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Remove ${c.type} ${c.fullName}`,
                  onClick: () => change(() => selected.delete(keyOf(c)), selectionView, i),
                },
                'Remove',
              ),
            ]),
          }),
    );
  }

  const form = h(
    'form',
    { class: 'card', testid: 'rollback-options' },
    h('h2', {}, 'Options'),
    testLevelFields('rollback'),
    h(
      'div',
      { class: 'check' },
      h('input', { id: 'rollback-check-only', name: 'checkOnly', type: 'checkbox' }),
      h('label', { for: 'rollback-check-only' }, 'Check only (validate the rollback, change nothing)'),
    ),
    h(
      'div',
      { class: 'check' },
      h('input', { id: 'rollback-force', name: 'force', type: 'checkbox' }),
      h('label', { for: 'rollback-force' }, 'Force (also restore components changed in the org since the deploy)'),
    ),
    warning,
    confirmation.node,
    run,
  );
  confirmation.box.addEventListener('change', () => render());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const everything = available.every((c) => selected.has(keyOf(c)));
    const pick = everything
      ? { all: true }
      : {
          components: plan.items
            .filter((c) => selected.has(keyOf(c)))
            .map(({ type, fullName }) => ({ type, fullName })),
        };
    const json = {
      ...pick,
      checkOnly: form.elements.checkOnly.checked,
      force: form.elements.force.checked,
      ...(confirmation.box.checked ? { acceptDataLoss: true } : {}),
      ...testOptions(form),
    };
    try {
      run.disabled = true;
      const job = await api(`/api/jobs/${jobId}/rollback`, { method: 'POST', json });
      flashAfterNavigation({
        notice: `Rollback job ${shortId(job.id)} started; its live status is in Activities below.`,
      });
      navigate(`#/branches/${deploy.branchId}/activities`);
    } catch (error) {
      run.disabled = false;
      showError(error);
    }
  });

  const unchanged = plan.unchanged.length
    ? h(
        'details',
        { class: 'hint' },
        h('summary', {}, `${plan.unchanged.length} component(s) the deploy left unchanged are not offered`),
        h(
          'ul',
          {},
          plan.unchanged.map((c) => h('li', {}, keyOf(c))),
        ),
      )
    : '';
  main.append(
    h(
      'section',
      { 'aria-labelledby': 'candidates-title' },
      h('div', { class: 'title-row' }, h('h2', { id: 'candidates-title' }, 'Changed by the deploy'), addAll),
      candidatesView,
    ),
    unchanged,
    h(
      'section',
      { 'aria-labelledby': 'selection-title' },
      h('h2', { id: 'selection-title' }, 'Selected for rollback'),
      selectionView,
    ),
    diffView,
    form,
  );
  render();
}
