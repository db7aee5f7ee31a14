/** The PromQL Backtrack sends for an SLO: the user's good/valid queries with `$window` set to a range. */

/** A Prometheus range duration for whole minutes: 1440 → "1d", 60 → "1h", 5 → "5m". */
export function promDuration(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** The query with every `$window` replaced by the range of `minutes`. */
export function windowed(query: string, minutes: number): string {
  return query.replaceAll('$window', promDuration(minutes));
}

/** The burn window an SLO's own evaluation shows when no policy names one: one hour. */
export const DEFAULT_BURN_WINDOW_MINUTES = 60;
