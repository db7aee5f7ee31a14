import { describe, it, expect } from '@jest/globals';
import { labelNames, labelsAddedBy } from './label-children.js';

const file = (...names: string[]) => [
  {
    path: 'force-app/main/default/labels/CustomLabels.labels-meta.xml',
    content: Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">\n${names
        .map((n) => `    <labels>\n        <fullName>${n}</fullName>\n        <value>${n}</value>\n    </labels>\n`)
        .join('')}</CustomLabels>\n`,
    ),
  },
];

describe('labelsAddedBy', () => {
  it('names the labels a deploy added, which restoring the old file would leave behind', () => {
    expect(labelsAddedBy(file('Greeting', 'Farewell'), file('Greeting', 'Farewell', 'Back_Soon'))).toEqual([
      { type: 'CustomLabel', fullName: 'Back_Soon' },
    ]);
  });

  it('adds nothing when the deploy only changed or kept labels (whatever the case of their names)', () => {
    expect(labelsAddedBy(file('Greeting'), file('greeting'))).toEqual([]);
  });

  it('reads a file with a single label', () => {
    expect(labelNames(file('Only'))).toEqual(['Only']);
  });
});
