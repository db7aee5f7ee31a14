// The emulator's tests drive it through Backtrack's own typed Cloud Foundry client (src/platform/cf/cf-client.ts),
// loosely typed here so a test can read any field of an answer.
import { CfClient as TypedCfClient, type ListPage } from '../../src/platform/cf/cf-client.js';

export { CfApiError, cfFailure, type ListPage, type Login } from '../../src/platform/cf/cf-client.js';

export interface Resource {
  guid: string;
  created_at: string;
  updated_at: string;
  links: Record<string, { href: string; method?: string }>;
  [key: string]: any;
}

export class CfClient extends TypedCfClient {
  override get<T = Resource>(path: string): Promise<T> {
    return super.get<T>(path);
  }

  override post<T = Resource>(path: string, body?: unknown): Promise<T> {
    return super.post<T>(path, body);
  }

  override list<T = Resource>(path: string): Promise<ListPage<T>> {
    return super.list<T>(path);
  }

  override find<T = Resource>(path: string): Promise<T | null> {
    return super.find<T>(path);
  }

  override all<T = Resource>(path: string): Promise<T[]> {
    return super.all<T>(path);
  }
}
