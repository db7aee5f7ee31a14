// Dependency rules checked by `npm run lint` (depcruise). See docs/adr/0011-code-health-lint-and-dependency-rules.md.
const INFRASTRUCTURE = ['blobs', 'idempotency', 'common', 'database', 'queue', 'config'];
const infra = `^src/(${INFRASTRUCTURE.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other in a circle: move what both need down (src/common) or invert it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment:
        'Two capability folders must not import each other, even through different files (deployments ↔ snapshots).',
      scope: 'folder',
      from: { path: '^src/[^/]+$' },
      to: { circular: true, path: '^src/[^/]+$' },
    },
    {
      name: 'infrastructure-not-to-domain',
      severity: 'error',
      comment: 'Infrastructure (blobs, idempotency, common, database, queue, config) must not import domain folders.',
      from: { path: infra },
      to: { path: '^src/[^/]+/', pathNot: infra },
    },
    {
      name: 'common-is-lowest',
      severity: 'error',
      comment: 'src/common holds primitives (hashing, zips, polling, errors): it imports nothing else from src.',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'emulator-stands-alone',
      severity: 'error',
      comment: 'The emulator is an outside org: it shares only primitives (src/common), never the service itself.',
      from: { path: '^src/emulator/' },
      to: { path: '^src/', pathNot: '^src/(emulator|common)/' },
    },
    {
      name: 'kubernetes-emulator-stands-alone',
      severity: 'error',
      comment:
        'The Kubernetes emulator is an outside cluster: it shares only primitives (src/common), never the service.',
      from: { path: '^src/kubernetes-emulator/' },
      to: { path: '^src/', pathNot: '^src/(kubernetes-emulator|common)/' },
    },
    {
      name: 'cf-emulator-stands-alone',
      severity: 'error',
      comment: 'The Cloud Foundry emulator is an outside foundation: it shares only primitives (src/common).',
      from: { path: '^src/cf-emulator/' },
      to: { path: '^src/', pathNot: '^src/(cf-emulator|common)/' },
    },
    {
      name: 'ecs-emulator-stands-alone',
      severity: 'error',
      comment: 'The ECS emulator is an outside service: it shares only primitives (src/common), never the service.',
      from: { path: '^src/ecs-emulator/' },
      to: { path: '^src/', pathNot: '^src/(ecs-emulator|common)/' },
    },
    {
      name: 'aws-query-emulator-stands-alone',
      severity: 'error',
      comment: 'The Auto Scaling/EC2 emulator is an outside AWS region: it shares only primitives (src/common).',
      from: { path: '^src/aws-query-emulator/' },
      to: { path: '^src/', pathNot: '^src/(aws-query-emulator|common)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that cannot be resolved (a typo or a missing package).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src|test|bench|migrations|bin|scripts)/',
    // database/entities.ts is the composition root that lists every entity and migration: it imports every domain
    // folder by design, so it is left out (otherwise database ↔ every folder holding an entity is a cycle).
    // The specs beside the code are tests: they import test/helpers (which start the whole app), and nothing imports
    // them, so they are left out too (otherwise every folder with a spec cycles through test/helpers → src/app).
    exclude: { path: ['^(dist|node_modules)/', '^src/database/entities\\.ts$', '\\.spec\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
  },
};
