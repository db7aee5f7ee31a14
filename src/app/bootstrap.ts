import 'reflect-metadata';
import path from 'node:path';
import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/config.js';
import { openDatabase } from '../database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../database/embedded-postgres.js';
import { startEmulator, type EmulatorHandle } from '../emulator/emulator.server.js';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../kubernetes-emulator/kubernetes-emulator.server.js';
import { JobRunner } from '../jobs/job-runner.service.js';
import { packageBodyReader } from '../platform/packages/package-body.js';
import { PlatformProviders } from '../platform/provider-registry.js';
import { Reconciler } from '../jobs/reconciler.service.js';
import { TokensService } from '../auth/tokens.service.js';
import { SnapshotPruner } from '../snapshots/snapshot-pruner.service.js';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { sweepStaleUploadWorkspaces } from '../uploads/upload-workspace.js';
import { AppModule } from './app.module.js';
import { ensureDemoOrg } from './demo-org.js';
import { ensureLocalCluster } from './local-cluster.js';
import { seedDemo } from './demo-seed.js';

export interface Backtrack {
  app: INestApplication;
  config: Config;
  dataSource: DataSource;
  /** The API's base URL when this process serves HTTP. */
  url: string | null;
  /** The built-in emulator org, when it runs in this process. */
  emulator: EmulatorHandle | null;
  /** The built-in Kubernetes emulator behind the "Local Cluster" infrastructure, when it runs in this process. */
  kubernetes: KubernetesEmulatorHandle | null;
  close(): Promise<void>;
}

const LEVELS: Record<Config['LOG_LEVEL'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/**
 * Starts Backtrack in this process for its ROLE: the database (PGlite when no DATABASE_URL) with migrations,
 * the emulator org when enabled, the HTTP API (api/all) and the job worker (worker/all).
 */
export async function startBacktrack(config: Config): Promise<Backtrack> {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    let embedded: EmbeddedPostgres | null = null;
    if (config.embeddedDatabase) {
      embedded = await startEmbeddedPostgres(config.dataDir);
      cleanups.push(() => embedded!.stop());
    }
    const dataSource = await openDatabase({ url: embedded?.url ?? config.DATABASE_URL!, poolSize: embedded ? 1 : 10 });
    cleanups.push(async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
    });

    let emulator: EmulatorHandle | null = null;
    if (config.emulatorEnabled) {
      emulator = await startEmulator({ port: config.EMULATOR_PORT, dataDir: path.join(config.dataDir, 'emulator') });
      cleanups.push(() => emulator!.close());
    }
    let kubernetes: KubernetesEmulatorHandle | null = null;
    if (config.emulatorEnabled) {
      // Its objects survive a restart in a state file (docs/kubernetes-provider.md); pods are ready a second after start.
      kubernetes = await startKubernetesEmulator({
        port: config.KUBERNETES_EMULATOR_PORT,
        podReadySeconds: 1,
        stateFile: path.join(config.dataDir, 'kubernetes-emulator', 'state.json'),
      });
      cleanups.push(() => kubernetes!.close());
    }

    const logger = new QuietStartLogger({ json: true, logLevels: LEVELS[config.LOG_LEVEL] });
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, dataSource), { logger });
    // A package upload's body first, whatever its type, with its own limit (the parsers below then leave it alone).
    app.use(packageBodyReader(config.PACKAGE_MAX_BYTES));
    app.useBodyParser('json', { limit: '2mb' });
    // Pipeline definitions may be sent as one YAML document.
    app.useBodyParser('text', { type: ['application/yaml', 'application/x-yaml', 'text/yaml'], limit: '2mb' });
    app.useBodyParser('raw', {
      type: ['application/zip', 'application/octet-stream', 'application/x-zip-compressed'],
      limit: config.UPLOAD_MAX_BYTES,
    });
    cleanups.push(() => app.close());
    setUpOpenApi(app);

    const newAdminToken = await app.get(TokensService).ensureBootstrapAdmin();
    if (emulator) await ensureDemoOrg(app, emulator);
    if (kubernetes) await ensureLocalCluster(app, kubernetes);
    if (emulator) await seedDemo(app);

    let url: string | null = null;
    if (config.ROLE !== 'worker') {
      const swept = await sweepStaleUploadWorkspaces(config.UPLOAD_TMP_DIR);
      if (swept.length) logger.log(`Removed ${swept.length} upload folder(s) left by stopped processes`, 'Uploads');
      await app.listen(config.PORT, config.HOST);
      const address = app.getHttpServer().address() as { port: number };
      url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${address.port}`;
    } else {
      await app.init();
    }
    // Every infrastructure kind has exactly one provider (they register while the app starts), or nothing starts.
    app.get(PlatformProviders).assertComplete();
    if (config.ROLE !== 'api') {
      const runner = app.get(JobRunner);
      const reconciler = app.get(Reconciler);
      const queue = app.get<JobQueue>(JOB_QUEUE);
      const pruner = app.get(SnapshotPruner);
      runner.start();
      await reconciler.start();
      pruner.start();
      // Runs before app.close(): stop taking work, abort what runs (it resumes elsewhere), close the queue.
      cleanups.push(async () => {
        reconciler.stop();
        pruner.stop();
        runner.stop();
        await queue.close();
      });
    }
    logger.log(
      `Backtrack ${config.ROLE} ready${url ? ` at ${url}` : ''} (${config.embeddedDatabase ? 'PGlite' : 'PostgreSQL'}, ${config.embeddedQueue ? 'in-process queue' : 'Bull/Redis'}${emulator ? `, emulator org at ${emulator.url}` : ''}${kubernetes ? `, Local Cluster at ${kubernetes.url}` : ''})`,
      'Backtrack',
    );
    if (newAdminToken) {
      // Printed once, on purpose, to the terminal only (never to the structured log).
      process.stdout.write(
        `\n  Backtrack admin token (shown once — keep it, or set BACKTRACK_ADMIN_TOKEN to choose your own):\n\n    ${newAdminToken}\n\n` +
          `  Sign in at ${url ?? 'the API'} with it, send it as "Authorization: Bearer <token>", or set it as BACKTRACK_TOKEN for the CLI.\n\n`,
      );
    }
    return { app, config, dataSource, url, emulator, kubernetes, close: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Nest's per-module and per-route start-up lines are debug detail: shown only with LOG_LEVEL=debug. */
class QuietStartLogger extends ConsoleLogger {
  private static readonly CHATTY = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && QuietStartLogger.CHATTY.has(context)) return this.debug(message, ...rest);
    super.log(message, ...rest);
  }
}

function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Backtrack API')
      .setDescription(
        'Deploy Salesforce metadata with a pre-deployment backup snapshot; roll back exactly the components you pick.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
}
