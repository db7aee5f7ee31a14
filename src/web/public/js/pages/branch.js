import { api } from '../api.js';
import { h, shortId, testLevelFields, testOptions, timeElement } from '../dom.js';
import { navigate } from '../navigation.js';
import { reversibilityNode } from '../reversibility.js';
import { flashAfterNavigation, showError, showNotice } from '../notices.js';
import { activitiesPanel } from './activities.js';
import { componentsPanel } from './components.js';
import { tabSet } from '../tabs.js';

/** A branch: upload a revision, deploy it, and the Activities / Components tabs. */
export async function branchPage({ main, params: [branchId, tab = 'activities'], signal }) {
  const [branch, { items: orgs }, { items: revisions }] = await Promise.all([
    api(`/api/branches/${branchId}`, { signal }),
    api('/api/orgs', { signal }),
    api(`/api/branches/${branchId}/revisions`, { signal }),
  ]);
  const latest = branch.latestRevision;
  const activities = activitiesPanel({ branchId, orgs, signal });
  const tabs = tabSet({
    baseHash: `#/branches/${branchId}`,
    label: 'Branch views',
    tabs: [
      { key: 'activities', label: 'Activities', panel: activities.node },
      { key: 'components', label: 'Components', panel: componentsPanel({ branchId, revisions, signal }) },
    ],
  });
  const onDeployed = (job) => {
    showNotice(`Deploy job ${shortId(job.id)} started; its live status is in Activities below.`);
    tabs.select('activities');
    void activities.refresh();
  };
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/branches' }, 'Branches'), ' / '),
    h('h1', {}, branch.name),
    h(
      'p',
      { class: 'hint', testid: 'branch-summary' },
      latest
        ? [
            'Latest revision #',
            latest.number,
            ` · ${latest.componentCount} components · uploaded `,
            timeElement(latest.createdAt),
          ]
        : 'No revision yet — upload a zip of an SFDX project (or a metadata-format package) to deploy it.',
    ),
    h('div', { class: 'cards' }, uploadForm(branchId), deployForm(branchId, orgs, revisions, onDeployed)),
    tabs.node,
  );
  tabs.select(tab === 'components' ? 'components' : 'activities', { updateUrl: false });
}

function uploadForm(branchId) {
  const file = h('input', {
    id: 'revision-file',
    name: 'file',
    type: 'file',
    accept: '.zip,application/zip',
    required: true,
  });
  const form = h(
    'form',
    { class: 'card', testid: 'upload-form' },
    h('h2', {}, 'Upload a revision'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'revision-file' }, 'Zip of an SFDX project or a metadata package'),
      file,
    ),
    h('button', { type: 'submit' }, 'Upload'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append('file', file.files[0]);
    try {
      const revision = await api(`/api/branches/${branchId}/revisions`, { method: 'POST', body });
      const notice = revision.unchanged
        ? `Nothing changed: the zip equals revision #${revision.number}.`
        : `Revision #${revision.number} uploaded: ${revision.componentCount} components.`;
      flashAfterNavigation({ notice });
      navigate(`#/branches/${branchId}/components`);
    } catch (error) {
      showError(error);
    }
  });
  return form;
}

function deployForm(branchId, orgs, revisions, onDeployed) {
  const org = h(
    'select',
    { id: 'deploy-org', name: 'org', required: true },
    orgs.map((o) => h('option', { value: o.id }, `${o.name} (${o.environment})`)),
  );
  const revision = h(
    'select',
    { id: 'deploy-revision', name: 'revision' },
    revisions.map((r) => h('option', { value: r.number }, `#${r.number} · ${r.componentCount} components`)),
  );
  const ready = orgs.length > 0 && revisions.length > 0;
  const form = h(
    'form',
    { class: 'card', testid: 'deploy-form' },
    h('h2', {}, 'Deploy'),
    h('div', { class: 'field' }, h('label', { for: 'deploy-org' }, 'Org'), org),
    h('div', { class: 'field' }, h('label', { for: 'deploy-revision' }, 'Revision'), revision),
    testLevelFields('deploy'),
    h(
      'div',
      { class: 'check' },
      h('input', { id: 'deploy-check-only', name: 'checkOnly', type: 'checkbox' }),
      h('label', { for: 'deploy-check-only' }, 'Check only (validate, change nothing)'),
    ),
    h(
      'div',
      { class: 'check' },
      h('input', { id: 'deploy-delete-removed', name: 'deleteRemoved', type: 'checkbox' }),
      h(
        'label',
        { for: 'deploy-delete-removed' },
        'Delete removed components (sent by the previous deploy here, no longer in this revision)',
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', testid: 'preview-deploy', disabled: !ready, onClick: () => preview() }, 'Preview'),
      ' ',
      h('button', { type: 'submit', class: 'primary', disabled: !ready }, 'Deploy'),
    ),
    ready ? null : h('p', { class: 'hint' }, revisions.length ? 'Register an org first.' : 'Upload a revision first.'),
  );
  const planView = h('div', { class: 'plan', testid: 'deploy-plan', 'aria-live': 'polite' });
  form.append(planView);
  const request = () => ({
    orgId: org.value,
    revision: Number(revision.value),
    checkOnly: form.elements.checkOnly.checked,
    ...(form.elements.deleteRemoved.checked ? { deleteRemoved: true } : {}),
    ...testOptions(form),
  });
  // a changed choice makes a shown plan stale
  form.addEventListener('change', () => planView.replaceChildren());
  async function preview() {
    try {
      planView.replaceChildren(h('p', { class: 'hint' }, 'Planning…'));
      const json = { ...request(), dryRun: true };
      const plan = await api(`/api/branches/${branchId}/deployments`, { method: 'POST', json });
      planView.replaceChildren(...planNodes(plan));
    } catch (error) {
      planView.replaceChildren();
      showError(error);
    }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const json = request();
    try {
      onDeployed(await api(`/api/branches/${branchId}/deployments`, { method: 'POST', json }));
    } catch (error) {
      showError(error);
    }
  });
  return form;
}

/** The dry run's plan: what the deploy creates, updates and deletes (deletions first, they are what users check). */
function planNodes(plan) {
  const note = (c) => (c.note ? h('span', { class: 'hint' }, ` — ${c.note}`) : null);
  const item = (c) => h('li', {}, `${c.type} ${c.fullName} `, note(c), reversibilityNode(c.reversibility));
  const list = (items, label) => h('ul', { 'aria-label': label }, items.map(item));
  const deletions = plan.delete.map((d) => ({
    ...d,
    note:
      `${d.source}, ${d.phase === 'pre' ? 'before' : 'after'} the additions` +
      (d.inOrg === false ? '; not in the org, nothing to delete' : ''),
  }));
  const section = (title, items, testid) =>
    items.length ? h('div', { testid }, h('h3', {}, `${title} (${items.length})`), list(items, title)) : null;
  return [
    h('h3', {}, `Plan for revision #${plan.revision}`),
    plan.delete.length
      ? h(
          'p',
          { class: 'warning', role: 'note' },
          `This deploy deletes ${plan.delete.length} component(s). They are backed up first and a rollback can ` +
            'recreate them, but data stored in deleted objects or fields cannot come back.',
        )
      : h('p', { class: 'hint' }, 'This deploy deletes nothing.'),
    section('Delete', deletions, 'plan-delete'),
    section('Create', plan.create, 'plan-create'),
    section('Update (if different)', plan.update, 'plan-update'),
    section('Deploy (not checked against the org)', plan.deploy, 'plan-deploy'),
    plan.notes.map((n) => h('p', { class: 'hint' }, n)),
  ];
}
