// `?watch=true`: a chunked stream of `{"type":…,"object":…}` lines, resumed from a resourceVersion, started with the
// current objects (or with `sendInitialEvents` and the closing bookmark client-go's WatchList waits for).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ObjectStore, StoreEvent, WatchEventType } from './object-store.js';
import type { ResourceType } from './resource-types.js';
import { expired, failureStatus } from './status.js';

export interface WatchEvent {
  readonly type: WatchEventType | 'BOOKMARK' | 'ERROR';
  readonly object: unknown;
}

export interface WatchRequest {
  readonly type: ResourceType;
  readonly matches: (object: KubeObject) => boolean;
  /** undefined or '0': start with the current objects; else resume after this version. */
  readonly resourceVersion?: string;
  readonly sendInitialEvents: boolean;
  readonly timeoutSeconds: number;
  /** How an object goes on the wire (a one-row Table for `kubectl get -w`); as it is when absent. */
  readonly present?: (object: KubeObject) => unknown;
}

/**
 * The event a watcher with a selector sees for a store change: an object that starts matching is ADDED, one that
 * stops matching is DELETED, one that matches before and after is MODIFIED; nothing for the others.
 */
export function watchEventFor(event: StoreEvent, matches: (object: KubeObject) => boolean): WatchEvent | undefined {
  const now = matches(event.object);
  if (event.type !== 'MODIFIED') return now ? { type: event.type, object: event.object } : undefined;
  const before = event.previous !== undefined && matches(event.previous);
  if (before && now) return { type: 'MODIFIED', object: event.object };
  if (now) return { type: 'ADDED', object: event.object };
  if (before) return { type: 'DELETED', object: event.object };
  return undefined;
}

export function initialEventsEndBookmark(type: ResourceType, apiVersion: string, resourceVersion: number): WatchEvent {
  return {
    type: 'BOOKMARK',
    object: {
      kind: type.kind,
      apiVersion,
      metadata: { resourceVersion: String(resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } },
    },
  };
}

/** Serves one watch until the client goes, the timeout passes or the server closes. */
export function serveWatch(
  store: ObjectStore,
  req: IncomingMessage,
  res: ServerResponse,
  request: WatchRequest,
  namespace: string | undefined,
  apiVersion: string,
): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const { present } = request;
  const write = (event: WatchEvent) => {
    const shown =
      present && (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED')
        ? { type: event.type, object: present(event.object as KubeObject) }
        : event;
    res.write(`${JSON.stringify(shown)}\n`);
  };
  const current = () => store.list(request.type, namespace).filter(request.matches);
  const rv = request.resourceVersion;
  if (request.sendInitialEvents) {
    for (const object of current()) write({ type: 'ADDED', object });
    write(initialEventsEndBookmark(request.type, apiVersion, store.resourceVersion()));
  } else if (rv === undefined || rv === '' || rv === '0') {
    for (const object of current()) write({ type: 'ADDED', object });
  } else {
    const since = store.eventsSince(Number(rv));
    if (!since || !/^\d+$/.test(rv)) {
      const message = /^\d+$/.test(rv)
        ? `too old resource version: ${rv} (${store.resourceVersion()})`
        : `invalid resource version: ${rv}`;
      write({ type: 'ERROR', object: failureStatus(expired(message)) });
      res.end();
      return;
    }
    for (const event of since) {
      if (event.resourceType !== request.type) continue;
      if (namespace !== undefined && event.object.metadata.namespace !== namespace) continue;
      const answer = watchEventFor(event, request.matches);
      if (answer) write(answer);
    }
  }
  const unsubscribe = store.subscribe((event) => {
    if (event.resourceType !== request.type) return;
    if (namespace !== undefined && event.object.metadata.namespace !== namespace) return;
    const answer = watchEventFor(event, request.matches);
    if (answer) write(answer);
  });
  const timer = setTimeout(() => res.end(), request.timeoutSeconds * 1000);
  const stop = () => {
    clearTimeout(timer);
    unsubscribe();
  };
  req.on('close', stop);
  res.on('close', stop);
}
