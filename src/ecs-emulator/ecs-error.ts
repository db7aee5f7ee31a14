// Errors in the JSON 1.1 shape `{"__type": "...", "message": "..."}`, which the SDK turns into its typed exceptions.

export class EcsError extends Error {
  constructor(
    /** The exception name the SDK maps to its class (ClusterNotFoundException, InvalidParameterException…). */
    readonly type: string,
    message: string,
    /** HTTP status: 400 for client faults, 500 for ServerException (the model sets none; see docs). */
    readonly status = 400,
  ) {
    super(message);
  }

  body(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}

export const invalidParameter = (message: string) => new EcsError('InvalidParameterException', message);
export const clientException = (message: string) => new EcsError('ClientException', message);
export const clusterNotFound = () => new EcsError('ClusterNotFoundException', 'Cluster not found.');
export const serviceNotFound = () => new EcsError('ServiceNotFoundException', 'Service not found.');
