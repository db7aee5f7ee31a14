import { api } from '../api.js';
import { emptyState, h, table, timeElement } from '../dom.js';

/** The Salesforce orgs Backtrack deploys to (registered through the API; secrets are never shown). */
export async function orgsPage({ main, signal }) {
  const { items } = await api('/api/orgs', { signal });
  main.append(
    h('h1', {}, 'Orgs'),
    items.length === 0
      ? emptyState('No orgs yet — register one with POST /api/orgs (an admin token is needed).')
      : table({
          caption: 'Orgs',
          testid: 'orgs-table',
          headers: ['Name', 'Environment', 'Instance', 'API version', 'Credentials', 'Registered'],
          rows: items.map((o) => [
            [o.name, o.demo ? h('span', { class: 'tag' }, 'built-in emulator') : null],
            o.environment,
            h('code', {}, o.instanceUrl),
            o.apiVersion,
            [o.authType, o.username ? ` (${o.username})` : ''],
            timeElement(o.createdAt),
          ]),
        }),
  );
}
