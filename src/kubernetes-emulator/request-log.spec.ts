import { describe, expect, test } from '@jest/globals';
import { RequestLog } from './request-log.js';

describe('RequestLog', () => {
  test('lists what was recorded, in order, until reset', () => {
    const log = new RequestLog();
    log.record('GET', '/api/v1/namespaces/default/configmaps/a');
    log.record('PUT', '/api/v1/namespaces/default/configmaps/a');
    expect(log.list()).toEqual([
      { method: 'GET', path: '/api/v1/namespaces/default/configmaps/a' },
      { method: 'PUT', path: '/api/v1/namespaces/default/configmaps/a' },
    ]);
    log.reset();
    expect(log.list()).toEqual([]);
  });
});
