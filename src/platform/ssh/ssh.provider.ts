import {
  StageFailed,
  type InstanceView,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageHealth,
} from '../provider.js';

// SKELETON (issue 14 in progress): replaced by the real provider before this lands.
const notYet = (): never => {
  throw new StageFailed('the ssh provider is not built yet');
};

export class SshProvider implements PlatformProvider {
  readonly kind = 'ssh' as const;
  parseSpec(spec: unknown): unknown {
    return spec;
  }
  artifactOf(): string | null {
    return null;
  }
  capture(_ctx: StageContext): Promise<unknown> {
    return Promise.resolve(notYet());
  }
  isFirstDeployment(): boolean {
    return false;
  }
  deploy(): Promise<unknown> {
    return Promise.resolve(notYet());
  }
  status(): Promise<StageHealth> {
    return Promise.resolve({ steady: true });
  }
  drift(): Promise<string[]> {
    return Promise.resolve([]);
  }
  rollback(_ctx: StageContext, _recorded: RecordedStage<unknown, unknown, unknown>): Promise<unknown> {
    return Promise.resolve(notYet());
  }
  describe(): Promise<InstanceView> {
    return Promise.resolve({ artifact: null, revision: null, ready: null, desired: null });
  }
}
