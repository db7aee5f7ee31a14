import { describe, expect, it } from '@jest/globals';
import { CfError } from './errors.js';
import { listFilter, paginate, parseListQuery } from './pagination.js';

const link = (query = '') => ({ baseUrl: 'http://cf', path: '/v3/apps', query: new URLSearchParams(query) });
const byNumber = (n: number) => n;

function badQuery(query: string): CfError {
  try {
    parseListQuery(new URLSearchParams(query));
  } catch (error) {
    return error as CfError;
  }
  throw new Error('the query was accepted');
}

describe('parseListQuery', () => {
  it('defaults to page 1 of 50 ordered by created_at ascending', () => {
    expect(parseListQuery(new URLSearchParams())).toEqual({
      page: 1,
      perPage: 50,
      orderBy: 'created_at',
      descending: false,
    });
  });

  it('reads a minus prefix as descending', () => {
    expect(parseListQuery(new URLSearchParams('order_by=-updated_at'))).toMatchObject({
      orderBy: 'updated_at',
      descending: true,
    });
  });

  it.each(['page=0', 'page=x', 'per_page=0', 'per_page=5001', 'order_by=name'])(
    'refuses %s with CF-BadQueryParameter',
    (query) => {
      const error = badQuery(query);
      expect(error.body().errors[0]).toMatchObject({ code: 10005, title: 'CF-BadQueryParameter' });
      expect(error.status).toBe(400);
    },
  );
});

describe('listFilter', () => {
  it('splits comma-separated values and tells an absent filter from an empty one', () => {
    const query = new URLSearchParams('names=a,b&space_guids=');
    expect(listFilter(query, 'names')).toEqual(['a', 'b']);
    expect(listFilter(query, 'space_guids')).toEqual([]);
    expect(listFilter(query, 'organization_guids')).toBeUndefined();
  });
});

describe('paginate', () => {
  const items = [5, 1, 4, 2, 3];

  it('sorts, slices and links the pages, keeping the filters', () => {
    const page = paginate(items, parseListQuery(new URLSearchParams('page=2&per_page=2')), byNumber, link('names=x'));
    expect(page.resources).toEqual([3, 4]);
    expect(page.pagination).toEqual({
      total_results: 5,
      total_pages: 3,
      first: { href: 'http://cf/v3/apps?names=x&page=1&per_page=2' },
      last: { href: 'http://cf/v3/apps?names=x&page=3&per_page=2' },
      next: { href: 'http://cf/v3/apps?names=x&page=3&per_page=2' },
      previous: { href: 'http://cf/v3/apps?names=x&page=1&per_page=2' },
    });
  });

  it('has no next on the last page and no previous on the first', () => {
    const page = paginate(items, parseListQuery(new URLSearchParams('order_by=-created_at')), byNumber, link());
    expect(page.resources).toEqual([5, 4, 3, 2, 1]);
    expect(page.pagination.next).toBeNull();
    expect(page.pagination.previous).toBeNull();
    expect(page.pagination.total_pages).toBe(1);
  });

  it('answers an empty list with one (empty) page', () => {
    const page = paginate([], parseListQuery(new URLSearchParams()), byNumber, link());
    expect(page).toMatchObject({ resources: [], pagination: { total_results: 0, total_pages: 1 } });
  });
});
