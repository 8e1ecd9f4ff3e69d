import { WebSocketErrorCode } from './protocol/codes'

/** The plain, serializable form of an error, as it appears in state and in actions. */
export interface WebSocketErrorInfo {
  code: WebSocketErrorCode
  message: string
  /** Where it happened: 'auth', 'outbox', 'inbound', 'transport', … */
  context?: string
  /** The id of the frame or message it refers to. */
  refId?: string
  timestamp: number
}

/**
 * The error thrown to programmers (and passed to `onError` callbacks). State holds its plain
 * form, `WebSocketErrorInfo`, from `toJSON()`.
 *
 * @example
 * try { await client.connect() } catch (e) {
 *   if (e instanceof WebSocketError && e.code === WebSocketErrorCode.AUTHENTICATION_FAILED) login()
 * }
 */
export class WebSocketError extends Error {
  readonly code: WebSocketErrorCode
  readonly context: string | undefined
  readonly refId: string | undefined
  readonly timestamp: number

  constructor(
    code: WebSocketErrorCode,
    message: string,
    options: { context?: string; refId?: string; timestamp?: number } = {},
  ) {
    super(message)
    this.name = 'WebSocketError'
    this.code = code
    this.context = options.context
    this.refId = options.refId
    this.timestamp = options.timestamp ?? Date.now()
  }

  static fromInfo(info: WebSocketErrorInfo): WebSocketError {
    return new WebSocketError(info.code, info.message, info)
  }

  toJSON(): WebSocketErrorInfo {
    return errorInfo(this.code, this.message, {
      ...(this.context !== undefined ? { context: this.context } : {}),
      ...(this.refId !== undefined ? { refId: this.refId } : {}),
      timestamp: this.timestamp,
    })
  }
}

/** Builds a plain error for state, leaving out absent optional fields. */
export function errorInfo(
  code: WebSocketErrorCode,
  message: string,
  options: { context?: string; refId?: string; timestamp?: number } = {},
): WebSocketErrorInfo {
  return {
    code,
    message,
    ...(options.context !== undefined ? { context: options.context } : {}),
    ...(options.refId !== undefined ? { refId: options.refId } : {}),
    timestamp: options.timestamp ?? Date.now(),
  }
}

export { WebSocketErrorCode }

/** What a thrown value is as a rejection reason: itself when it is an Error. */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
