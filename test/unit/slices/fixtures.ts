import {
  findNonSerializableValue,
  isPlain,
  type Reducer,
  type UnknownAction,
} from '@reduxjs/toolkit'
import { expect } from 'vitest'
import { errorInfo, type WebSocketErrorInfo } from '../../../src/errors'
import type { WebSocketErrorCode } from '../../../src/protocol/codes'
import type { ChatMessage, DirectMessage, Notification, OutboxEntry } from '../../../slices/types'

export const T0 = 1_700_000_000_000

/** A message from another user as the server relays it. */
export function message(room: string, seq: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `m-${room}-${seq}`,
    type: 'chat_message',
    timestamp: T0 + seq,
    room,
    seq,
    userId: 'bob',
    data: { content: `message ${seq}` },
    ...fields,
  }
}

type ChatEntry = Extract<OutboxEntry, { type: 'chat_message' }>

/** One of this client's own messages as the outbox holds it. */
export function entry(room: string, id: string, content = id): ChatEntry {
  return { id, type: 'chat_message', room, data: { content }, createdAt: T0, userId: 'alice' }
}

/** The server's echo of an own message: same id, now with a seq. */
export function echo(own: ChatEntry, seq: number): ChatMessage {
  return message(own.room, seq, {
    id: own.id,
    userId: 'alice',
    data: own.data,
    timestamp: own.createdAt,
  })
}

export function error(code: WebSocketErrorCode, message = `${code} happened`): WebSocketErrorInfo {
  return errorInfo(code, message, { context: 'test', timestamp: T0 })
}

/** Asserts that a value would pass RTK's serializability check. */
export function expectSerializable(value: unknown, what: string): void {
  expect(findNonSerializableValue(value), what).toBe(false)
  expect(isPlain(value), what).toBe(true)
}

/**
 * Runs the reducer over the actions, checking after every one that the action and the state
 * are plain serializable data. Returns the final state.
 */
export function reduce<S>(reducer: Reducer<S>, actions: UnknownAction[], initial?: S): S {
  let state = initial ?? reducer(undefined, { type: '@@test/init' })
  expectSerializable(state, 'initial state')
  for (const action of actions) {
    expectSerializable(action, `action ${action.type}`)
    state = reducer(state, action)
    expectSerializable(state, `state after ${action.type}`)
  }
  return state
}

type DirectEntry = Extract<OutboxEntry, { type: 'direct_message' }>

/** A direct message on this user's private stream: from `from` to `to`, with a seq. */
export function dm(seq: number, from: string, to: string, id = `dm-${seq}`): DirectMessage {
  return {
    id,
    type: 'direct_message',
    timestamp: T0 + seq,
    room: 'user:alice',
    seq,
    userId: from,
    data: { to, content: `direct ${seq}` },
  }
}

/** One of this client's own direct messages as the outbox holds it. */
export function dmEntry(id: string, to: string): DirectEntry {
  return { id, type: 'direct_message', data: { to, content: id }, createdAt: T0, userId: 'alice' }
}

/** The server's copy of an own direct message: same id, now with a seq. */
export function dmEcho(own: DirectEntry, seq: number): DirectMessage {
  return dm(seq, 'alice', own.data.to, own.id)
}

/** A notification as the private stream delivers it. */
export function notification(id: string, fields: Partial<Notification> = {}): Notification {
  return {
    id,
    title: `notification ${id}`,
    kind: 'info',
    severity: 'info',
    createdAt: T0,
    read: false,
    ...fields,
  }
}
