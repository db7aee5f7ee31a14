// v3 list paging: `page`, `per_page` (1–5000, default 50), `order_by` (a `-` prefix descends) and the
// `{pagination, resources}` answer with first/last/next/previous links that keep the request's filters.
import { badQueryParameter } from './errors.js';

export interface ListQuery {
  readonly page: number;
  readonly perPage: number;
  readonly orderBy: string;
  readonly descending: boolean;
}

export interface Page<T> {
  readonly pagination: {
    readonly total_results: number;
    readonly total_pages: number;
    readonly first: { readonly href: string };
    readonly last: { readonly href: string };
    readonly next: { readonly href: string } | null;
    readonly previous: { readonly href: string } | null;
  };
  readonly resources: readonly T[];
}

const MAX_PER_PAGE = 5000;

function positiveInteger(raw: string | null, fallback: number): number | undefined {
  if (raw === null) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** Reads the paging parameters; a bad one is CF's 400 `CF-BadQueryParameter`. */
export function parseListQuery(query: URLSearchParams, orderable: readonly string[] = ['created_at', 'updated_at']) {
  const page = positiveInteger(query.get('page'), 1);
  if (page === undefined || page < 1) throw badQueryParameter('Page must be greater than 0');
  const perPage = positiveInteger(query.get('per_page'), 50);
  if (perPage === undefined || perPage < 1 || perPage > MAX_PER_PAGE)
    throw badQueryParameter(`Per page must be between 1 and ${MAX_PER_PAGE}`);
  const rawOrder = query.get('order_by') ?? orderable[0]!;
  const descending = rawOrder.startsWith('-');
  const orderBy = rawOrder.replace(/^[-+]/, '');
  if (!orderable.includes(orderBy))
    throw badQueryParameter(`Order by can only be: ${orderable.map((o) => `'${o}'`).join(', ')}`);
  return { page, perPage, orderBy, descending } satisfies ListQuery;
}

/** The comma-separated values of a filter such as `names=a,b` (undefined when the filter is absent). */
export function listFilter(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.get(name);
  return raw === null ? undefined : raw.split(',').filter((v) => v !== '');
}

/**
 * One page of `items` (already filtered), sorted by `sortKey(item, orderBy)`; links point at `baseUrl + path` with
 * the request's other parameters kept.
 */
export function paginate<T>(
  items: readonly T[],
  list: ListQuery,
  sortKey: (item: T, orderBy: string) => string | number,
  link: { baseUrl: string; path: string; query: URLSearchParams },
): Page<T> {
  const sorted = [...items].sort((a, b) => {
    const x = sortKey(a, list.orderBy);
    const y = sortKey(b, list.orderBy);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return list.descending ? -order : order;
  });
  const totalPages = Math.max(1, Math.ceil(sorted.length / list.perPage));
  const href = (page: number) => {
    const params = new URLSearchParams(link.query);
    params.set('page', String(page));
    params.set('per_page', String(list.perPage));
    return { href: `${link.baseUrl}${link.path}?${params.toString()}` };
  };
  return {
    pagination: {
      total_results: sorted.length,
      total_pages: totalPages,
      first: href(1),
      last: href(totalPages),
      next: list.page < totalPages ? href(list.page + 1) : null,
      previous: list.page > 1 ? href(Math.min(list.page - 1, totalPages)) : null,
    },
    resources: sorted.slice((list.page - 1) * list.perPage, list.page * list.perPage),
  };
}
