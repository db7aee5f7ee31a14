import { describe, it, expect } from '@jest/globals';
import { parseEventStream } from './event-stream.js';

async function collect(chunks: string[]) {
  const events = [];
  for await (const event of parseEventStream(
    (async function* () {
      yield* chunks;
    })(),
  ))
    events.push(event);
  return events;
}

describe('parseEventStream', () => {
  it('reads event, id and data fields', async () => {
    expect(await collect(['id: 3\nevent: log\ndata: {"seq":3}\n\n'])).toEqual([
      { event: 'log', id: '3', data: '{"seq":3}' },
    ]);
  });

  it('joins records split across chunks', async () => {
    expect(await collect(['event: sta', 'tus\ndata: {}', '\n', '\nevent: end\ndata: 1\n\n'])).toEqual([
      { event: 'status', id: null, data: '{}' },
      { event: 'end', id: null, data: '1' },
    ]);
  });

  it('defaults the event name to message and joins multi-line data', async () => {
    expect(await collect(['data: a\ndata: b\n\n'])).toEqual([{ event: 'message', id: null, data: 'a\nb' }]);
  });

  it('skips comments, records without data and an unfinished last record', async () => {
    expect(await collect([': keep-alive\n\nevent: log\n\ndata: x'])).toEqual([]);
  });
});
