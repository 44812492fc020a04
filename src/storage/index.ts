export * from './store.js';
export { MemoryStore, type MemoryStoreOptions } from './memory/memory-store.js';
export { SqliteStore, type SqliteStoreOptions, type SqliteStoreStats } from './sqlite/sqlite-store.js';
export { prefixEnd } from './watch-hub.js';
