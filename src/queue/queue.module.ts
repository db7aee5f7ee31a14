import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { Config } from '../config/config.js';
import { BullQueue } from './bull.queue.js';
import { InProcessQueue } from './in-process.queue.js';
import { JOB_QUEUE } from './job-queue.js';

export const JOBS_QUEUE_NAME = 'backtrack-jobs';

/** Bull when REDIS_URL is set, the in-process queue otherwise; both behind JOB_QUEUE. */
@Global()
@Module({})
export class QueueModule {
  static forRoot(config: Config): DynamicModule {
    if (config.embeddedQueue) {
      return {
        module: QueueModule,
        providers: [{ provide: JOB_QUEUE, useValue: new InProcessQueue() }],
        exports: [JOB_QUEUE],
      };
    }
    return {
      module: QueueModule,
      imports: [
        BullModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX }),
        BullModule.registerQueue({ name: JOBS_QUEUE_NAME }),
      ],
      providers: [
        {
          provide: JOB_QUEUE,
          useFactory: (queue: Queue<{ jobId: string }>) => new BullQueue(queue, config.ENQUEUE_TIMEOUT_MS),
          inject: [getQueueToken(JOBS_QUEUE_NAME)],
        },
      ],
      exports: [JOB_QUEUE],
    };
  }
}
