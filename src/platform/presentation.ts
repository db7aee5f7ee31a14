import type { Infrastructure } from './infrastructures/infrastructure.entity.js';
import type { ConnectionView } from './infrastructures/infrastructure-connection.js';
import type { Service } from './services/service.entity.js';

/** What the API shows of a service. */
export function presentService(service: Service) {
  return {
    id: service.id,
    name: service.name,
    description: service.description,
    createdAt: service.createdAt,
  };
}

/** What the API shows of an infrastructure: where its connection points, never a secret. */
export function presentInfrastructure({
  infrastructure,
  connection,
}: {
  infrastructure: Infrastructure;
  connection: ConnectionView | null;
}) {
  return {
    id: infrastructure.id,
    name: infrastructure.name,
    environment: infrastructure.environment,
    kind: infrastructure.kind,
    orgId: infrastructure.orgId,
    connection,
    createdAt: infrastructure.createdAt,
  };
}
