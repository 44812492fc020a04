/**
 * The simulated kube-scheduler's pure core: snapshot, filters, scores and schedulePod.
 *
 * A controller keeps one ClusterSnapshot per workload cluster up to date from informers
 * (setNode/removeNode on Node events, setPod/removePod on Pod events, setNamespace for
 * namespaceSelector terms), and per pending Pod calls schedulePod({ pod, snapshot }):
 * - { node } → bind, then snapshot.assume(pod, node) so the next attempt sees it at once
 *   (the informer's later setPod replaces the assumed copy without double counting);
 * - { message, reasons } → Event FailedScheduling and PodScheduled=False (reason Unschedulable)
 *   with `message`; `preemptionCandidates` lists nodes where evicting lower-priority pods would help.
 */
export { ClusterSnapshot, NodeInfo, NodeOverlay, type SnapshotView } from './snapshot.js';
export { schedulePod, runFilters, preFilter, scoreNodes, type ScheduleInput, type ScheduleOptions, type ScheduleResult, type Scheduled, type Unschedulable, type CycleState } from './schedule.js';
export { fitErrorMessage, reasonHistogram, sortedReasons, NO_NODES_AVAILABLE } from './fit-error.js';
export { newPodInfo, podKey, type PodInfo } from './pod-info.js';
export { podRequests, nodeAllocatable, resourcesFromList, DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST, type Resources } from './resources.js';
export { parseQuantity, milliValue, wholeValue, QuantityError } from './quantity.js';
export { toleratesTaint, findUntoleratedTaint } from './taints.js';
export { podMatchesNodeSelectorAndAffinity, nodeSelectorTermMatches } from './node-affinity.js';
export type * from './types.js';
export { setupScheduler } from './setup.js';
export { Scheduler, SCHEDULER_NAME, DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from './controller.js';
export { SchedulingQueue, DEFAULT_QUEUE_TIMINGS, type QueueTimings, type QueuedPod } from './scheduling-queue.js';
