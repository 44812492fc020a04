export { migrateSqliteToEtcd, type MigrateSqliteToEtcdOptions, type MigrationProgress, type MigrationSummary } from './migrate.js';
export { MigrationError } from './errors.js';
