import pino from 'pino';
import { connectMongo } from '../../src/store/database.js';
import { createModels } from '../../src/store/models/index.js';
import { createReportRowStore } from '../../src/store/report-row-store.js';

/*
 * A process of its own that catches the report rows of MONGODB_URI's database up (building them if they
 * are not), then prints the outcome as one JSON line: what a test kills mid-build to see that nothing is lost.
 */
const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is not set');
const connection = await connectMongo(uri, { serverSelectionTimeoutMs: 5000 }, pino({ level: 'silent' }));
try {
  const outcome = await createReportRowStore(createModels(connection)).catchUp();
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
} finally {
  await connection.close();
}
