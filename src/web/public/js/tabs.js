import { h } from './dom.js';

/**
 * Tabs whose selection is in the URL (`${baseHash}/${key}`, replaced rather than pushed): tabs [{key, label, panel}].
 * Arrow keys move between tabs; panels get data-testid `panel-${key}`.
 */
export function tabSet({ baseHash, label, tabs }) {
  const buttons = tabs.map((t) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${t.key}`,
        'aria-controls': `panel-${t.key}`,
        onClick: () => select(t.key),
      },
      t.label,
    ),
  );
  const panels = tabs.map((t) =>
    h(
      'section',
      { role: 'tabpanel', id: `panel-${t.key}`, 'aria-labelledby': `tab-${t.key}`, testid: `panel-${t.key}` },
      t.panel,
    ),
  );
  const list = h('div', { role: 'tablist', 'aria-label': label, class: 'tabs' }, buttons);
  list.addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const index = (buttons.indexOf(document.activeElement) + step + buttons.length) % buttons.length;
    select(tabs[index].key);
    buttons[index].focus();
  });
  function select(key, { updateUrl = true } = {}) {
    tabs.forEach((t, i) => {
      const selected = t.key === key;
      buttons[i].setAttribute('aria-selected', String(selected));
      buttons[i].tabIndex = selected ? 0 : -1;
      panels[i].hidden = !selected;
    });
    if (updateUrl) history.replaceState(null, '', `${baseHash}/${key}`);
  }
  return { node: h('div', {}, list, panels), select };
}
