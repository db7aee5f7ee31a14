import { restartWithMemorySettings } from './app/memory-settings.js';

// Before anything else is loaded: this may run the process again with its memory settings (ADR 0023, ADR 0024).
restartWithMemorySettings();
process.env.SF_DISABLE_LOG_FILE ??= 'true';

const { runService } = await import('./app/run-service.js');
await runService();
