export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | null;
}

/** Parses a text/event-stream (decoded text chunks, LF line ends as the API writes them) into events; comments and data-less records are skipped. */
export async function* parseEventStream(chunks: AsyncIterable<string>): AsyncGenerator<ServerSentEvent> {
  let buffer = '';
  for await (const chunk of chunks) {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = parseRecord(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) yield event;
    }
  }
}

function parseRecord(record: string): ServerSentEvent | null {
  const event: ServerSentEvent = { event: 'message', data: '', id: null };
  const data: string[] = [];
  for (const line of record.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
  }
  if (data.length === 0) return null;
  event.data = data.join('\n');
  return event;
}
