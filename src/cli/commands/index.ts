/** Every `slipway` command; each module adds its commands to the program. One line per module. */
import type { Command } from 'commander';
import * as registry from './registry.js';
import * as controllers from './controllers.js';
import * as clusterClass from './class.js';
import * as cluster from './cluster.js';
import * as feature from './feature.js';
import * as isolatedCluster from './isolated-cluster.js';
import * as migrate from './migrate.js';
import * as psa from './psa.js';
import * as server from './server.js';
import * as topology from './topology.js';
import * as version from './version.js';

const modules: { register(program: Command): void }[] = [
  controllers,
  clusterClass,
  cluster,
  feature,
  isolatedCluster,
  migrate,
  psa,
  registry,
  server,
  topology,
  version,
];

export function registerAll(program: Command): void {
  for (const m of modules) m.register(program);
}
