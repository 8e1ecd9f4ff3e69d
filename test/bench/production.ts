/**
 * The bench's production client rows (ingest, peer, round trip, send) in their own process,
 * started by run.ts with `NODE_ENV=production`: the package reads it once at load (state is not
 * frozen) and RTK's getDefaultMiddleware adds no dev checks, as in an app's production build.
 */
import { reply } from './child'
import { ingestRows, latencyRows, peerRows } from './clientRows'

const url = process.env.BENCH_URL
if (!url) throw new Error('production.ts: BENCH_URL is not set (run.ts starts it)')
if (process.env.NODE_ENV !== 'production')
  throw new Error('production.ts: NODE_ENV must be production')
const server = { url }
const ingest = await ingestRows(server)
reply([...ingest.rows, ...(await peerRows(server, ingest.ours)), ...(await latencyRows(server))])
