export { sha256Hex } from './sha256-hex.js';
export { runStoreConformance } from './store-conformance.js';
