import { api } from '../api.js';
import { emptyState, h, shortId, table, timeElement } from '../dom.js';
import { navigate } from '../navigation.js';
import { flashAfterNavigation, showError } from '../notices.js';
import { tabSet } from '../tabs.js';
import { executionsPanel } from './executions.js';
import { infrastructureText } from '../executions.js';

/** The services whose image a run must give: those of the stages whose kind deploys an artifact (not salesforce). */
export function artifactServices(definition) {
  const names = definition.stages.filter((s) => s.service?.name && s.kind !== 'salesforce').map((s) => s.service.name);
  return [...new Set(names)];
}

/** A pipeline: Run (an image per service) → its execution page; its Activities; its definition, version by version. */
export async function pipelinePage({ main, params: [pipelineId, tab = 'activities'], signal }) {
  const [pipeline, { versions }] = await Promise.all([
    api(`/api/pipelines/${pipelineId}`, { signal }),
    api(`/api/pipelines/${pipelineId}/versions`, { signal }),
  ]);
  const definition = definitionPanel({ pipeline, versions, signal });
  const tabs = tabSet({
    baseHash: `#/pipelines/${pipelineId}`,
    label: 'Pipeline views',
    tabs: [
      {
        key: 'activities',
        label: 'Activities',
        panel: executionsPanel({
          filter: { pipeline: pipelineId },
          signal,
          emptyMessage: 'Not run yet — Run it above.',
        }).node,
      },
      { key: 'definition', label: 'Definition', panel: definition },
    ],
  });
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/pipelines' }, 'Pipelines'), ' / '),
    h('h1', {}, pipeline.name),
    h(
      'p',
      { class: 'hint', testid: 'pipeline-summary' },
      `Version ${pipeline.version} · ${pipeline.definition.stages.length} stage(s) · updated `,
      timeElement(pipeline.updatedAt),
    ),
    runForm(pipeline),
    tabs.node,
  );
  tabs.select(tab === 'definition' ? 'definition' : 'activities', { updateUrl: false });
}

/** Run: an image per service (`<+artifact.image>`) and the pipeline's variables, defaulting to the definition's. */
function runForm(pipeline) {
  const services = artifactServices(pipeline.definition);
  const variables = Object.entries(pipeline.definition.variables ?? {});
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id }, label), input);
  const artifactInputs = services.map((name, i) =>
    h('input', {
      id: `artifact-${i}`,
      name: `artifact-${i}`,
      'data-service': name,
      autocomplete: 'off',
      placeholder: 'e.g. nginx:1.27',
    }),
  );
  const variableInputs = variables.map(([name, value], i) =>
    h('input', { id: `variable-${i}`, name: `variable-${i}`, 'data-variable': name, value: String(value ?? '') }),
  );
  const run = h('button', { type: 'submit', class: 'primary', testid: 'run-pipeline' }, 'Run');
  const form = h(
    'form',
    { class: 'card', testid: 'run-form' },
    h('h2', {}, `Run version ${pipeline.version}`),
    services.length
      ? artifactInputs.map((input, i) => field(input.id, `Artifact for ${services[i]}`, input))
      : h('p', { class: 'hint' }, 'No stage takes an artifact.'),
    variableInputs.map((input) => field(input.id, `Variable ${input.dataset.variable}`, input)),
    run,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const artifacts = Object.fromEntries(
      artifactInputs.filter((i) => i.value.trim()).map((i) => [i.dataset.service, i.value.trim()]),
    );
    const changed = variableInputs.filter((i, n) => i.value !== String(variables[n][1] ?? ''));
    const json = {
      artifacts,
      ...(changed.length ? { variables: Object.fromEntries(changed.map((i) => [i.dataset.variable, i.value])) } : {}),
    };
    run.disabled = true;
    try {
      const execution = await api(`/api/pipelines/${pipeline.id}/executions`, { method: 'POST', json });
      flashAfterNavigation({ notice: `Execution ${shortId(execution.id)} of ${pipeline.name} started.` });
      navigate(`#/executions/${execution.id}`);
    } catch (error) {
      run.disabled = false;
      showError(error);
    }
  });
  return form;
}

/** The definition of one version (the latest first; another from the version list), as a stage table and as JSON. */
function definitionPanel({ pipeline, versions, signal }) {
  const view = h('div', {});
  const picker = h(
    'select',
    { id: 'pipeline-version', testid: 'pipeline-version' },
    [...versions]
      .sort((a, b) => b.version - a.version)
      .map((v) =>
        h(
          'option',
          { value: String(v.version), selected: v.version === pipeline.version },
          `v${v.version} · ${new Date(v.createdAt).toLocaleString()}${v.createdBy ? ` · ${v.createdBy}` : ''}`,
        ),
      ),
  );
  picker.addEventListener('change', async () => {
    try {
      show(await api(`/api/pipelines/${pipeline.id}?version=${picker.value}`, { signal }));
    } catch (error) {
      showError(error);
    }
  });
  function show(version) {
    const { stages, variables } = version.definition;
    const vars = Object.entries(variables ?? {});
    view.replaceChildren(
      stages.length === 0
        ? emptyState('This version has no stages.')
        : table({
            caption: `Stages of version ${version.version}`,
            testid: 'pipeline-stages',
            headers: ['#', 'Stage', 'Kind', 'Service', 'Infrastructure', 'On failure', 'Deadline'],
            rows: stages.map((s, i) => [
              String(i + 1),
              s.name,
              s.kind,
              s.service?.name ?? '—',
              infrastructureText(s.infrastructure),
              s.failureStrategy === 'ignore' ? 'ignore (the execution goes on)' : 'fail the execution',
              `${s.progressDeadlineSeconds} s`,
            ]),
          }),
      vars.length ? h('p', { class: 'hint' }, 'Variables: ', vars.map(([k, v]) => `${k} = ${v}`).join(', ')) : null,
      h(
        'details',
        {},
        h('summary', {}, 'Definition as JSON'),
        h('pre', { class: 'definition', testid: 'pipeline-definition' }, JSON.stringify(version.definition, null, 2)),
      ),
    );
  }
  show(pipeline);
  return h(
    'div',
    {},
    h('div', { class: 'field inline' }, h('label', { for: 'pipeline-version' }, 'Version'), picker),
    view,
  );
}
