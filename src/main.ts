import { restartWithAllocatorSettings } from './app/allocator.js';

// Before anything else is loaded: this may run the process again with other allocator settings (ADR 0023).
restartWithAllocatorSettings();
process.env.SF_DISABLE_LOG_FILE ??= 'true';

const { runService } = await import('./app/run-service.js');
await runService();
