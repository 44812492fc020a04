/**
 * Ephemeral containers (added by `kubectl debug` through pods/ephemeralcontainers): the simulated kubelet starts
 * each one once the Pod runs and reports it in status.ephemeralContainerStatuses. They never restart and are never
 * ready (as upstream: ephemeral containers have no probes). A container keeps the start time already reported.
 */
import type { ContainerStatusOut, ImageNaming, SimPodStatus } from './pod-status.js';

/** The parts of a Pod read here (any Pod type fits). */
interface EphemeralPod {
  metadata?: { uid?: string } | null;
  spec?: object | null;
  status?: object | null;
}
interface EphemeralSpec {
  ephemeralContainers?: { name: string; image?: string | null }[] | null;
}
interface EphemeralStatus {
  ephemeralContainerStatuses?: { name: string; state?: { running?: { startedAt?: string } } }[] | null;
}
const specOf = (pod: EphemeralPod): EphemeralSpec => (pod.spec ?? {}) as EphemeralSpec;

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The statuses of the Pod's ephemeral containers at `nowMs`, given the Pod status just simulated. */
export function ephemeralContainerStatuses(pod: EphemeralPod, podStatus: Pick<SimPodStatus, 'phase'>, nowMs: number, naming: ImageNaming): ContainerStatusOut[] {
  const reported = new Map((((pod.status ?? {}) as EphemeralStatus).ephemeralContainerStatuses ?? []).map((s) => [s.name, s.state?.running?.startedAt]));
  return (specOf(pod).ephemeralContainers ?? []).map((c) => {
    const ref = c.image ?? '';
    if (podStatus.phase !== 'Running') {
      return { name: c.name, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: ref, imageID: '', started: false };
    }
    const startedAt = reported.get(c.name) ?? isoSeconds(nowMs);
    return {
      name: c.name,
      state: { running: { startedAt } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: naming.image(ref),
      imageID: naming.imageID(ref),
      containerID: naming.containerID(pod.metadata?.uid ?? '', c.name, 0),
      started: true,
    };
  });
}

/** `status` with the ephemeral containers' statuses when the Pod has any (unchanged otherwise). */
export function withEphemeralContainerStatuses<S extends SimPodStatus>(status: S, pod: EphemeralPod, nowMs: number, naming: ImageNaming): S & { ephemeralContainerStatuses?: ContainerStatusOut[] } {
  if (!specOf(pod).ephemeralContainers?.length) return status;
  return { ...status, ephemeralContainerStatuses: ephemeralContainerStatuses(pod, status, nowMs, naming) };
}
