export type ContainerState = 'warming' | 'idle' | 'busy' | 'removing';

export interface ContainerStatus {
  id: string;
  state: ContainerState;
  createdAt: number;
}

export interface PoolStatus {
  target: number;
  idle: number;
  busy: number;
  warming: number;
  queued: number;
  maxQueue: number;
  /** False after drain() until warm() is called. */
  refilling: boolean;
  containers: ContainerStatus[];
  /** Containers started and removed since start-up. */
  started: number;
  removed: number;
  lastError: string | null;
}
