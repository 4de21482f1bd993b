import { createMemoryStore } from './memory-store.js';
import { runStoreConformance, sha256Hex } from './testing/index.js';

runStoreConformance({ name: 'memory store', create: async () => createMemoryStore({ sha256: sha256Hex }) });
