import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMachineDeploymentEnv, DeploymentScenario, type MachineDeploymentEnv } from '/work/main/test/support/machinedeployment-env.js';

let env: MachineDeploymentEnv;
before(async () => { env = await startMachineDeploymentEnv(); });
after(async () => env?.close());

test('smoke', async () => {
  const s = new DeploymentScenario(env, 'smoke');
  await s.createCluster();
  await s.createTemplates('tpl-a');
  await s.createDeployment('md', { replicas: 3 });
  await s.settled();
  console.log(JSON.stringify(await s.counts()));
  const ms = await s.machineSets();
  console.log(JSON.stringify(ms[0], null, 1).slice(0, 3000));
  const md = await s.getDeployment('md');
  console.log(JSON.stringify(md, null, 1).slice(0, 3000));
  const m = await s.machines();
  console.log(JSON.stringify(m[0], null, 1).slice(0, 2500));
  await s.makeAllReady();
  await s.settled();
  console.log(JSON.stringify((await s.getDeployment('md')).status, null, 1));
});
