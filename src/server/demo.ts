import type { RealtimeServer } from './createServer'
import type { NotificationInput } from './push'

/** What the demo pushes through. */
export type DemoTarget = Pick<RealtimeServer, 'notify' | 'systemAlert' | 'publishEvent'>

export interface DemoOptions {
  /** Who gets the periodic notifications; default alice, bob and eve. */
  users?: readonly string[]
  /** Default 45 s. */
  notifyEveryMs?: number
  /** Periodic notifications stop after this many rounds; default 40 (30 minutes). */
  maxRounds?: number
  /** The one system alert; default 20 s after start. */
  alertAfterMs?: number
  /** The demo's third event is cancelled this long after start; default 90 s. */
  cancelAfterMs?: number
  /** Welcomes are sent to at most this many distinct users; default 100. */
  maxWelcomes?: number
  /** Default `console`. */
  logger?: Pick<Console, 'warn'>
}

/** A running demo: `welcome` greets a user once, `stop` clears every timer. */
export interface Demo {
  welcome(userId: string): void
  stop(): void
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

const SAMPLES: readonly NotificationInput[] = [
  { title: 'Build finished', body: 'main is green: 214 tests passed', severity: 'info' },
  { title: 'New comment', body: 'bob replied to your pull request', severity: 'info' },
  { title: 'Disk almost full', body: 'the staging volume is at 91 %', severity: 'warning' },
  { title: 'Deploy failed', body: 'payments-api: health check timed out', severity: 'error' },
  { title: 'You were mentioned', body: 'eve mentioned you in #general', severity: 'info' },
]

/** The schedule seen from `now`: one soon with a reminder, one tomorrow, one to cancel. */
function demoEvents(now: number) {
  const soon = now + 10 * MINUTE
  return {
    standup: {
      id: 'demo-standup',
      title: 'Team standup',
      startsAt: soon,
      endsAt: soon + 15 * MINUTE,
      location: 'Room 4 / video call',
      remindAt: [now + MINUTE],
    },
    review: {
      id: 'demo-review',
      title: 'Design review',
      startsAt: now + DAY,
      endsAt: now + DAY + 60 * MINUTE,
      location: 'Main hall',
    },
    launch: {
      id: 'demo-launch',
      title: 'Launch rehearsal',
      startsAt: now + 2 * 60 * MINUTE,
      location: 'Online',
    },
  }
}

/**
 * Sample traffic for the CLI's `--dev` mode, so the example app has something to show: three
 * events (a reminder in a minute, one cancelled after 90 s), a system alert after 20 s, a
 * notification to each demo user every 45 s for half an hour, and a welcome per new user.
 *
 * @example
 * const demo = startDemo(server)
 * await server.close(); demo.stop()
 */
export function startDemo(target: DemoTarget, options: DemoOptions = {}): Demo {
  const {
    users = ['alice', 'bob', 'eve'],
    notifyEveryMs = 45_000,
    maxRounds = 40,
    alertAfterMs = 20_000,
    cancelAfterMs = 90_000,
    maxWelcomes = 100,
    logger = console,
  } = options
  const welcomed = new Set<string>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let stopped = false

  // The server may close before the demo stops; a push then throws, which must not crash anyone.
  const attempt = (what: string, push: () => unknown): void => {
    if (stopped) return
    try {
      push()
    } catch (error) {
      logger.warn(`demo: ${what} failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const after = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      run()
    }, ms)
    timers.add(timer)
  }

  const events = demoEvents(Date.now())
  for (const event of Object.values(events))
    attempt('publishEvent', () => target.publishEvent(event))
  after(cancelAfterMs, () =>
    attempt('publishEvent', () => target.publishEvent({ ...events.launch, status: 'cancelled' })),
  )
  after(alertAfterMs, () =>
    attempt('systemAlert', () =>
      target.systemAlert({
        message: 'Demo: maintenance window tonight at 22:00 UTC',
        severity: 'warning',
      }),
    ),
  )

  let round = 0
  const tick = (): void => {
    const sample = SAMPLES[round % SAMPLES.length] as NotificationInput
    for (const user of users) attempt('notify', () => target.notify(user, sample))
    round += 1
    if (round < maxRounds) after(notifyEveryMs, tick)
  }
  if (maxRounds > 0) after(notifyEveryMs, tick)

  return {
    welcome(userId) {
      if (welcomed.has(userId) || welcomed.size >= maxWelcomes) return
      welcomed.add(userId)
      attempt('notify', () =>
        target.notify(userId, {
          title: `Welcome, ${userId}!`,
          body: 'This is the redux-realtime demo. Notifications like this arrive every 45 s.',
          severity: 'info',
        }),
      )
    },
    stop() {
      stopped = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}
