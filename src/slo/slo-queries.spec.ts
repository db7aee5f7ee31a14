import { describe, it, expect } from '@jest/globals';
import { promDuration, windowed } from './slo-queries.js';

describe('SLO queries', () => {
  it('writes whole minutes as the largest Prometheus unit that fits', () => {
    expect(promDuration(5)).toBe('5m');
    expect(promDuration(90)).toBe('90m');
    expect(promDuration(60)).toBe('1h');
    expect(promDuration(360)).toBe('6h');
    expect(promDuration(30 * 1440)).toBe('30d');
  });

  it('puts the range in place of every $window', () => {
    expect(windowed('sum(increase(a[$window])) + sum(increase(b[$window]))', 5)).toBe(
      'sum(increase(a[5m])) + sum(increase(b[5m]))',
    );
  });
});
