/** Defaults of apps/v1 kinds (upstream pkg/apis/apps/v1 SetDefaults_*). */
import { defaultClaim, defaultPodTemplateSpec } from './pod.js';
import { child, defaultString, defaultValue, ensureChild, objects, type Obj } from './fields.js';

export function defaultDeployment(deployment: Obj): void {
  const spec = ensureChild(deployment, 'spec');
  defaultValue(spec, 'replicas', 1);
  const strategy = ensureChild(spec, 'strategy');
  defaultString(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const rollingUpdate = ensureChild(strategy, 'rollingUpdate');
    defaultValue(rollingUpdate, 'maxUnavailable', '25%');
    defaultValue(rollingUpdate, 'maxSurge', '25%');
  }
  defaultValue(spec, 'revisionHistoryLimit', 10);
  defaultValue(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(ensureChild(spec, 'template'));
}

export function defaultReplicaSet(replicaSet: Obj): void {
  const spec = ensureChild(replicaSet, 'spec');
  defaultValue(spec, 'replicas', 1);
  defaultPodTemplateSpec(ensureChild(spec, 'template'));
}

export function defaultDaemonSet(daemonSet: Obj): void {
  const spec = ensureChild(daemonSet, 'spec');
  const strategy = ensureChild(spec, 'updateStrategy');
  defaultString(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const rollingUpdate = ensureChild(strategy, 'rollingUpdate');
    defaultValue(rollingUpdate, 'maxUnavailable', 1);
    defaultValue(rollingUpdate, 'maxSurge', 0);
  }
  defaultValue(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(ensureChild(spec, 'template'));
}

export function defaultStatefulSet(statefulSet: Obj): void {
  const spec = ensureChild(statefulSet, 'spec');
  defaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureChild(spec, 'updateStrategy');
  if (strategy['type'] === undefined || strategy['type'] === null || strategy['type'] === '') {
    strategy['type'] = 'RollingUpdate';
    defaultValue(strategy, 'rollingUpdate', {});
  }
  // Only a rollingUpdate the user (or the line above) provided gets a partition and, with the
  // MaxUnavailableStatefulSet gate (beta and on by default since 1.35), maxUnavailable 1.
  const rollingUpdate = child(strategy, 'rollingUpdate');
  if (strategy['type'] === 'RollingUpdate' && rollingUpdate) {
    defaultValue(rollingUpdate, 'partition', 0);
    defaultValue(rollingUpdate, 'maxUnavailable', 1);
  }
  const retention = ensureChild(spec, 'persistentVolumeClaimRetentionPolicy');
  defaultString(retention, 'whenDeleted', 'Retain');
  defaultString(retention, 'whenScaled', 'Retain');
  defaultValue(spec, 'replicas', 1);
  defaultValue(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(ensureChild(spec, 'template'));
  for (const claim of objects(spec, 'volumeClaimTemplates')) defaultClaim(claim);
}
