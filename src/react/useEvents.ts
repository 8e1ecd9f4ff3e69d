import { useCallback, useEffect, useMemo, useState } from 'react'
import { WebSocketContext, type WebSocketReactContext } from './context'
import type { EventData } from './core'
import type { RealtimeBinding } from './handle'
import { dispatchingNone, useBinding } from './useBinding'
import { useSelectorOf, useStoreSelector } from './useStoreSelector'

/** What `useEvents` returns. */
export interface EventsHandle {
  /** Events not cancelled and not over yet (as of the current minute), soonest first. */
  upcomingEvents: readonly EventData[]
  /** Every event received, soonest first. */
  events: readonly EventData[]
  getEventById: (eventId: string) => EventData | undefined
  /** Ask the server for event updates and reminders (kept across reconnects). */
  subscribeToEvents: () => void
  unsubscribeFromEvents: () => void
  isSubscribed: boolean
}

export type UseEvents = (websocket?: RealtimeBinding) => EventsHandle

const MINUTE = 60_000
const currentMinute = (now = Date.now()) => now - (now % MINUTE)

/** The current minute, refreshed on each minute boundary: a stable `now` for memoized selectors. */
function useMinute(): number {
  const [minute, setMinute] = useState(currentMinute)
  useEffect(() => {
    const timer = setTimeout(() => setMinute(currentMinute()), minute + MINUTE - Date.now())
    return () => clearTimeout(timer)
  }, [minute])
  return minute
}

/**
 * Builds `useEvents` for a context of your own (see `WebSocketContext`).
 *
 * @example
 * const useSupportEvents = createEventsHook(SupportContext)
 */
export function createEventsHook(context: WebSocketReactContext = WebSocketContext): UseEvents {
  return function useEvents(websocket) {
    const { store, realtime } = useBinding(context, websocket, 'useEvents')
    const { selectors, actions } = realtime
    const now = useMinute()

    const upcomingEvents = useSelectorOf(store, selectors.selectUpcomingEvents, now)
    const byId = useStoreSelector(
      store,
      useCallback((root: unknown) => selectors.selectRealtime(root).events.byId, [selectors]),
    )
    const events = useMemo(
      (): readonly EventData[] => Object.values(byId).sort((a, b) => a.startsAt - b.startsAt),
      [byId],
    )
    const isSubscribed = useStoreSelector(store, selectors.selectIsSubscribedToEvents)

    // Commands keep their identity across state updates, so effects may depend on them.
    const commands = useMemo(
      () => ({
        subscribeToEvents: dispatchingNone(store, actions.subscribeToEvents),
        unsubscribeFromEvents: dispatchingNone(store, actions.unsubscribeFromEvents),
      }),
      [store, actions],
    )
    return useMemo(
      () => ({
        ...commands,
        upcomingEvents,
        events,
        isSubscribed,
        getEventById: (id: string) => events.find((e) => e.id === id),
      }),
      [commands, upcomingEvents, events, isSubscribed],
    )
  }
}

/**
 * Event updates: what is coming up (refreshed every minute), any event by id, and the
 * subscription that brings updates and reminders.
 *
 * @example
 * const events = useEvents(websocket)
 * useEffect(() => events.subscribeToEvents(), [])
 * events.upcomingEvents.map((e) => e.title)
 */
export const useEvents: UseEvents = createEventsHook()
