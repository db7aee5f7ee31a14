// The emulator's tests drive it through Backtrack's own typed Cloud Foundry client (src/platform/cf/cf-client.ts).
export {
  CfApiError,
  CfClient,
  cfFailure,
  type ListPage,
  type Login,
  type Resource,
} from '../../src/platform/cf/cf-client.js';
