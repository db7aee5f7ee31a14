// The JSON helpers live in src/common (the Kubernetes provider uses them too); re-exported for the emulator's modules.
export * from '../common/json.js';
