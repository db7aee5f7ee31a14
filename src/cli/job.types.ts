/** The API's job as the CLI reads it (GET /api/jobs/:id). */
export interface Job {
  id: string;
  kind: string;
  status: 'Queued' | 'In Progress' | 'Completed' | 'Exception';
  revision: number | null;
  deployJobId?: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: { phase: string; componentsDone: number; componentsTotal: number; percent: number };
  counts: Record<string, number>;
  error: string | null;
}

/** One row of GET /api/jobs/:id/components. */
export interface JobComponent {
  type: string;
  fullName: string;
  action: string;
  status: string;
  problem: string | null;
  lineNumber: number | null;
  columnNumber: number | null;
}

/** One line of GET /api/jobs/:id/logs. */
export interface LogLine {
  seq: number;
  at: string;
  level: string;
  component: string | null;
  message: string;
}

export function isFinished(job: Pick<Job, 'status'>): boolean {
  return job.status === 'Completed' || job.status === 'Exception';
}
