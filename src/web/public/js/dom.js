// Small DOM helpers: elements built from data (never from HTML strings), badges, tables, formatting.

/**
 * h('a', {href, class, testid, onClick}, ...children). `on*` props add listeners, `testid` sets data-testid,
 * `value`/`checked` set the property, `style` takes an object (CSSOM, allowed by the CSP); false/null/undefined props and children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  el.append(
    ...children
      .flat(Infinity)
      .filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : String(c))),
  );
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') el.className = value;
    else if (key === 'testid') el.dataset.testid = value;
    else if (key === 'value' || key === 'checked') el[key] = value;
    else if (key === 'style') Object.assign(el.style, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  return el;
}

export function isRunning(job) {
  return job.status === 'Queued' || job.status === 'In Progress';
}

/** "3 created · 1 updated · 1 failed" from a job's counts (the non-zero ones), or its phase while it runs. */
export function countsSummary(job) {
  const parts = Object.entries(job.counts ?? {}).filter(([key, n]) => key !== 'total' && n > 0);
  return parts.length ? parts.map(([key, n]) => `${n} ${key}`).join(' · ') : isRunning(job) ? job.progress.phase : '—';
}

/** A labelled progress bar: phase, components done of total, percent. */
export function progressBar(job) {
  const { phase, componentsDone, componentsTotal, percent } = job.progress;
  const label = `${phase} · ${componentsDone}/${componentsTotal} components · ${percent}%`;
  return h(
    'div',
    { class: 'progress', testid: 'progress' },
    h(
      'div',
      {
        class: 'progress-track',
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': percent,
        'aria-label': 'Job progress',
      },
      h('div', { class: `progress-fill tone-${toneOf(job.status)}`, style: { width: `${percent}%` } }),
    ),
    h('div', { class: 'hint' }, label),
  );
}

function toneOf(status) {
  return (
    {
      Queued: 'queued',
      'In Progress': 'running',
      Completed: 'ok',
      Succeeded: 'ok',
      Exception: 'failed',
      Failed: 'failed',
    }[status] ?? 'neutral'
  );
}

/** A status in words and colour: Queued, In Progress, Completed, Exception (or a component result). */
export function statusBadge(status) {
  return h('span', { class: `badge tone-${toneOf(status)}`, testid: 'status', 'data-status': status }, status ?? '—');
}

/** A table that scrolls sideways in a narrow window. rows: arrays of cells (nodes or text). */
export function table({ caption, headers, rows, testid, rowAttrs = () => ({}) }) {
  return h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      { testid },
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((text) => h('th', { scope: 'col' }, text)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells, index) =>
          h(
            'tr',
            rowAttrs(index),
            cells.map((cell) => h('td', {}, cell ?? '')),
          ),
        ),
      ),
    ),
  );
}

export function emptyState(message, ...actions) {
  return h('div', { class: 'empty', testid: 'empty' }, h('p', {}, message), actions);
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—';
}

export function timeElement(iso) {
  return iso ? h('time', { datetime: iso, title: iso }, formatTime(iso)) : '—';
}

export function formatDuration(startIso, endIso) {
  if (!startIso) return '—';
  const seconds = Math.max(0, Math.round(((endIso ? new Date(endIso) : new Date()) - new Date(startIso)) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export function shortId(id) {
  return id.slice(0, 8);
}

/** A select of test levels; '' leaves the org's default. */
function testLevelSelect(id) {
  const levels = ['NoTestRun', 'RunLocalTests', 'RunAllTestsInOrg', 'RunSpecifiedTests'];
  return h(
    'select',
    { id, name: 'testLevel' },
    h('option', { value: '' }, 'Default for the org'),
    levels.map((l) => h('option', { value: l }, l)),
  );
}

/** The request fields of a test level select plus its "tests to run" input (comma separated). */
export function testOptions(form) {
  const testLevel = form.elements.testLevel.value;
  if (!testLevel) return {};
  const runTests = form.elements.runTests.value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return testLevel === 'RunSpecifiedTests' ? { testLevel, runTests } : { testLevel };
}

/** Label + test level select + "tests to run" field that shows only for RunSpecifiedTests. */
export function testLevelFields(prefix) {
  const select = testLevelSelect(`${prefix}-test-level`);
  const tests = h(
    'div',
    { class: 'field', hidden: true },
    h('label', { for: `${prefix}-run-tests` }, 'Tests to run (comma separated)'),
    h('input', { id: `${prefix}-run-tests`, name: 'runTests', autocomplete: 'off' }),
  );
  select.addEventListener('change', () => (tests.hidden = select.value !== 'RunSpecifiedTests'));
  return [h('div', { class: 'field' }, h('label', { for: select.id }, 'Test level'), select), tests];
}

/**
 * Appends log lines to a list (time, level, where, message), keeping it scrolled to the bottom when it was there;
 * `where(line)` names the component or stage of a line (or nothing).
 */
export function appendLogLines(list, lines, where) {
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.querySelector('.hint')?.remove();
  list.append(
    ...lines.map((line) =>
      h(
        'li',
        { class: `level-${line.level}` },
        h('time', { datetime: line.at }, formatTime(line.at)),
        h('span', { class: 'level' }, line.level),
        where(line) ? h('span', { class: 'component' }, where(line)) : null,
        h('span', { class: 'message' }, line.message),
      ),
    ),
  );
  if (list.childElementCount === 0) list.append(h('li', { class: 'hint' }, 'No log lines.'));
  if (atBottom) list.scrollTop = list.scrollHeight;
}
