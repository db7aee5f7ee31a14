import { api } from '../api.js';
import { h, table } from '../dom.js';

const SIDES = [
  ['snapshot', 'Snapshot (before the deploy)'],
  ['deployed', 'Left by the deploy'],
  ['live', 'Org now'],
];

/**
 * What a rollback will put back for one component: per file, the snapshot, what the deploy left and the org now
 * (one small retrieve), drift marked. Text files show unified diffs, binary ones sizes and checksums.
 */
export function componentDiffPanel({ jobId, component, onClose, signal }) {
  const title = `${component.type} ${component.fullName}`;
  const body = h(
    'div',
    { 'aria-busy': 'true' },
    h('p', { class: 'hint' }, 'Comparing the snapshot, the deploy and the org…'),
  );
  const close = h('button', { type: 'button', testid: 'close-diff', onClick: onClose }, 'Close');
  const node = h(
    'section',
    {
      class: 'card diff-panel',
      testid: 'component-diff',
      'aria-label': `Differences of ${title}`,
      'data-component': `${component.type}:${component.fullName}`,
    },
    h('div', { class: 'title-row' }, h('h2', {}, `What the rollback restores: ${title}`), close),
    body,
  );
  const path = `${encodeURIComponent(component.type)}/${encodeURIComponent(component.fullName)}`;
  const url = `/api/jobs/${jobId}/components/${path}/diff?live=true`;
  api(url, { signal })
    .then((diff) => body.replaceChildren(...render(diff)))
    .catch((error) => body.replaceChildren(h('p', { class: 'problem', role: 'alert' }, error.message)))
    .finally(() => body.setAttribute('aria-busy', 'false'));
  return node;
}

function render(diff) {
  const summary = h(
    'p',
    { testid: 'diff-summary' },
    `The deploy ${pastTense(diff.deployAction)} it; the rollback will ${diff.rollbackAction ?? 'leave it'}. `,
    diff.drift
      ? h(
          'strong',
          { class: 'problem', testid: 'drift-marker' },
          'Drift: the org changed since the deploy — the rollback refuses it unless forced.',
        )
      : h('span', { testid: 'no-drift' }, 'No drift: the org still has what the deploy left.'),
  );
  const facts = table({
    caption: 'Files on each side',
    testid: 'diff-files',
    headers: ['File', ...SIDES.map(([, label]) => label), ''],
    rowAttrs: (i) => ({ 'data-file': diff.files[i].name, 'data-drift': String(Boolean(diff.files[i].drift)) }),
    rows: diff.files.map((f) => [
      h('code', {}, f.name),
      ...SIDES.map(([side]) => sideCell(f[side], f.binary)),
      [
        f.binary ? h('span', { class: 'tag' }, 'binary') : null,
        f.drift ? h('span', { class: 'tag problem' }, 'drift') : null,
      ],
    ]),
  });
  const diffs = diff.files
    .filter((f) => !f.binary)
    .flatMap((f) => [
      f.diff ? diffBlock(`${f.name}: snapshot → deployed (what the rollback reverts)`, f.diff, 'diff') : null,
      f.diff === null
        ? h('p', { class: 'hint' }, `${f.name} is too large for a line diff; compare the checksums above.`)
        : null,
      f.driftDiff ? diffBlock(`${f.name}: deployed → org now (drift)`, f.driftDiff, 'drift-diff') : null,
    ]);
  const none = diffs.some(Boolean) ? null : h('p', { class: 'hint' }, 'No text differences.');
  return [summary, facts, ...diffs, none];
}

function sideCell(facts, binary) {
  if (!facts) return h('span', { class: 'hint' }, 'absent');
  return binary
    ? [`${facts.size} bytes`, h('div', { class: 'sub' }, h('code', {}, facts.sha256.slice(0, 12)))]
    : `${facts.size} bytes`;
}

function diffBlock(label, text, testid) {
  const lines = text.replace(/\n$/, '').split('\n');
  return h(
    'figure',
    { class: 'diff', testid },
    h('figcaption', {}, label),
    h(
      'pre',
      {},
      lines.map((line) => h('span', { class: lineClass(line) }, line)),
    ),
  );
}

function lineClass(line) {
  if (line.startsWith('@@')) return 'diff-hunk';
  if (line.startsWith('+++') || line.startsWith('---')) return 'diff-file';
  if (line.startsWith('+')) return 'diff-add';
  if (line.startsWith('-')) return 'diff-del';
  return 'diff-same';
}

function pastTense(action) {
  return (
    { create: 'created', update: 'updated', delete: 'deleted', unchanged: 'left unchanged' }[action] ?? 'did not apply'
  );
}
