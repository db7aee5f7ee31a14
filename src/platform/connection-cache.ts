import { sha256 } from '../common/hash.js';

/**
 * A provider's API clients kept per connection (a client per call would cost a new TCP, and TLS, handshake each
 * time), keyed by a hash of the connection so a rotated secret or a moved endpoint gets new clients. Past `max`
 * connections the oldest is dropped and closed.
 */
export class ConnectionCache<Connection, Client> {
  private readonly clients = new Map<string, Client>();

  constructor(
    private readonly open: (connection: Connection) => Client,
    private readonly close: (client: Client) => void = () => undefined,
    private readonly max = 32,
  ) {}

  get(connection: Connection): Client {
    const key = sha256(JSON.stringify(connection));
    let client = this.clients.get(key);
    if (!client) {
      client = this.open(connection);
      if (this.clients.size >= this.max) {
        const [oldest, dropped] = this.clients.entries().next().value!;
        this.clients.delete(oldest);
        this.close(dropped);
      }
      this.clients.set(key, client);
    }
    return client;
  }
}
