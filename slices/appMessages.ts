import type { JsonPrimitive, JsonValue } from '../src/protocol/frames'
import type { MessageType } from '../src/protocol/messageTypes'

/**
 * `T` itself when it survives JSON unchanged; otherwise a shape `T` does not fit, so a map with
 * a `Date`, a function or a `Map` in it fails to compile. Object properties may be optional.
 *
 * @example
 * type Ok = JsonCompatible<{ x: number; tags?: string[] }> // { x: number; tags?: string[] }
 */
export type JsonCompatible<T> = [T] extends [JsonValue]
  ? T
  : T extends JsonPrimitive
    ? T
    : T extends (...args: never[]) => unknown
      ? never
      : T extends readonly unknown[]
        ? { [K in keyof T]: JsonCompatible<T[K]> }
        : T extends object
          ? { [K in keyof T]: JsonMember<T[K]> }
          : never

/** A property's value: JSON, or `undefined` (JSON drops the property). */
type JsonMember<T> = T extends undefined ? undefined : JsonCompatible<T>

/**
 * The constraint on an app's message map: each app type name → the JSON its `data` holds. A
 * protocol type (`MessageType` value) is no app type name.
 *
 * @example
 * type AppMessages = { card_moved: { id: string; to: string }; cursor: { x: number; y: number } }
 * const realtime = createRealtime<AppMessages>({ url, getToken })
 */
export type AppMessageMap<M> = {
  [K in keyof M]: K extends MessageType ? never : K extends string ? JsonCompatible<M[K]> : never
}

/** The map when none is given: any valid type name, any JSON data. */
export type DefaultAppMessages = Record<string, JsonValue>

/** The type names of a map. */
export type AppMessageType<M> = keyof M & string

/**
 * What `publish` takes: one of the map's `type`s with its `data`. `volatile: true` makes it
 * latest-wins, never queued, not acked, no `seq`. `id` defaults to a fresh one.
 *
 * @example
 * const input: PublishInput<AppMessages> = { room: 'board', type: 'cursor', data: { x: 1, y: 2 }, volatile: true }
 */
export type PublishInput<M> = {
  [K in AppMessageType<M>]: { room: string; type: K; data: M[K]; volatile?: boolean; id?: string }
}[AppMessageType<M>]

/** The payload of a `publish` command: the input, validated, with its id and time. */
export type PublishPayload<M> = {
  [K in AppMessageType<M>]: {
    id: string
    timestamp: number
    room: string
    type: K
    data: M[K]
    volatile: boolean
  }
}[AppMessageType<M>]

/**
 * One app-defined message of type `K`, as it is received: `seq` is set on durable ones (their
 * place in the room's stream), absent on volatile ones.
 */
export interface AppMessageOf<M, K extends AppMessageType<M>> {
  id: string
  type: K
  room: string
  userId: string
  timestamp: number
  seq?: number
  data: M[K]
}

/**
 * An app-defined message as `custom.messagesReceived` delivers it, discriminated by `type`.
 *
 * @example
 * for (const m of payload.messages) if (m.type === 'card_moved') moveCard(m.data.id, m.data.to)
 */
export type AppMessage<M = DefaultAppMessages> = {
  [K in AppMessageType<M>]: AppMessageOf<M, K>
}[AppMessageType<M>]
