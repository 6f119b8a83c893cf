import { Schema, type Connection, type Model } from 'mongoose';

/** One row per running worker process and role, refreshed on an interval; /healthz reads these. */
export interface WorkerHeartbeatDoc {
  _id: string;
  role: string;
  host: string;
  pid: number;
  state: string;
  detail: Record<string, unknown>;
  startedAt: Date;
  beatAt: Date;
}

const workerHeartbeatSchema = new Schema<WorkerHeartbeatDoc>(
  {
    _id: { type: String, required: true },
    role: { type: String, required: true },
    host: { type: String, required: true },
    pid: { type: Number, required: true },
    state: { type: String, required: true },
    detail: { type: Schema.Types.Mixed, default: {} },
    startedAt: { type: Date, required: true },
    beatAt: { type: Date, required: true },
  },
  { collection: 'worker_heartbeats', versionKey: false, minimize: false },
);
// Rows of workers that died without saying goodbye disappear after a day.
workerHeartbeatSchema.index({ beatAt: 1 }, { expireAfterSeconds: 86_400 });

export type WorkerHeartbeatModel = Model<WorkerHeartbeatDoc>;

export function workerHeartbeatModel(conn: Connection): WorkerHeartbeatModel {
  return conn.model<WorkerHeartbeatDoc>('WorkerHeartbeat', workerHeartbeatSchema);
}
