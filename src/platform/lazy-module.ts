/**
 * A module imported the first time it is needed, once. The AWS SDK clients and @kubernetes/client-node cost tens of
 * megabytes of heap each when imported; a service that never deploys to ECS, an ASG or a cluster should not pay for
 * them. `load()` imports (a failed import is tried again on the next call); `get()` is for code that runs after a
 * `load()` (a client factory) and throws when it did not; `loaded` is the module if it was imported, else undefined
 * (an error cannot be one of its classes before then).
 */
export class LazyModule<M> {
  private loading?: Promise<M>;
  private module?: M;

  constructor(
    private readonly name: string,
    private readonly importer: () => Promise<M>,
  ) {}

  load(): Promise<M> {
    this.loading ??= this.importer().then(
      (module) => (this.module = module),
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  get loaded(): M | undefined {
    return this.module;
  }

  get(): M {
    if (this.module === undefined) throw new Error(`${this.name} is used before it was loaded`);
    return this.module;
  }
}
