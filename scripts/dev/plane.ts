// Dev helper: start a management plane in DIR on ADDR with info logging.
import { pino } from 'pino';
import { ManagementPlane } from '../../src/server/management-plane.js';
const [dir = '/tmp/slipway-dev', listen = '127.0.0.1:7443'] = process.argv.slice(2);
void ManagementPlane.start({ dataDir: dir, listen, logger: pino({ level: process.env.LOG_LEVEL ?? 'info' }) });
