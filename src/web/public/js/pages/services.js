import { api } from '../api.js';
import { emptyState, h, table, timeElement } from '../dom.js';

/** The services Backtrack deploys (registered through the API), each linking to its Instances and Activities. */
export async function servicesPage({ main, signal }) {
  const [{ items: services }, { items: infrastructures }] = await Promise.all([
    api('/api/services', { signal }),
    api('/api/infrastructures', { signal }),
  ]);
  const environments = [...new Set(infrastructures.map((i) => i.environment))].sort();
  main.append(
    h('h1', {}, 'Services'),
    services.length === 0
      ? emptyState('No services yet — register one with POST /api/services (an admin token is needed).')
      : table({
          caption: 'Services',
          testid: 'services-table',
          headers: ['Service', 'Description', 'Activities', 'Created'],
          rows: services.map((s) => [
            h('a', { href: `#/services/${s.id}/instances` }, s.name),
            s.description ?? '—',
            h('a', { href: `#/services/${s.id}/activities` }, 'Activities'),
            timeElement(s.createdAt),
          ]),
        }),
    h('h2', {}, 'Environments'),
    environments.length === 0
      ? emptyState('No infrastructures yet, so no environment runs anything.')
      : h(
          'ul',
          { class: 'link-list', testid: 'environments' },
          environments.map((e) =>
            h(
              'li',
              {},
              h('a', { href: `#/executions?${new URLSearchParams({ environment: e })}` }, e),
              ' — ',
              infrastructures
                .filter((i) => i.environment === e)
                .map((i) => `${i.name} (${i.kind})`)
                .join(', '),
            ),
          ),
        ),
  );
}
