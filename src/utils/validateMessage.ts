/**
 * The codec's limit on `data.content`, in UTF-16 code units (string length).
 *
 * @example
 * <textarea maxLength={MAX_MESSAGE_LENGTH} />
 */
export const MAX_MESSAGE_LENGTH = 16 * 1024

/**
 * Why `validateMessageDetailed` refused a message.
 *
 * @example
 * const reason: MessageRejectReason = 'too_long'
 */
export type MessageRejectReason = 'not_string' | 'empty' | 'too_long' | 'control_character'

/**
 * The answer of `validateMessageDetailed`.
 *
 * @example
 * const check: MessageValidation = validateMessageDetailed(text)
 * if (!check.valid) console.warn(check.reason, check.message)
 */
export type MessageValidation =
  { valid: true } | { valid: false; reason: MessageRejectReason; message: string }

// Unicode control characters (C0, DEL, C1) except tab and line feed.
const FORBIDDEN_CONTROL = /[^\P{Cc}\t\n]/u

/**
 * Checks chat content before sending, and says why it is refused: it must be a string that is
 * not blank, at most 16,384 characters (the wire limit) and free of control characters other
 * than `\n` and `\t`.
 *
 * @example
 * const check = validateMessageDetailed(input.value)
 * if (!check.valid) showError(check.message) // e.g. 'message is longer than 16384 characters'
 */
export function validateMessageDetailed(content: unknown): MessageValidation {
  return contentRefusal(content) ?? { valid: true }
}

/**
 * Why `content` is refused, or undefined: `validateMessageDetailed` without an object for the
 * valid case (the codec checks every incoming chat frame's content with it).
 */
export function contentRefusal(
  content: unknown,
): Extract<MessageValidation, { valid: false }> | undefined {
  if (typeof content !== 'string') {
    return { valid: false, reason: 'not_string', message: 'message content must be a string' }
  }
  if (content.trim() === '') {
    return { valid: false, reason: 'empty', message: 'message is empty' }
  }
  if (content.length > MAX_MESSAGE_LENGTH) {
    return {
      valid: false,
      reason: 'too_long',
      message: `message is longer than ${MAX_MESSAGE_LENGTH} characters`,
    }
  }
  const control = FORBIDDEN_CONTROL.exec(content)
  if (control) {
    const code = (control[0].codePointAt(0) as number).toString(16).padStart(4, '0')
    return {
      valid: false,
      reason: 'control_character',
      message: `message contains control character U+${code.toUpperCase()} at index ${control.index}`,
    }
  }
  return undefined
}

/**
 * Whether `content` can be sent as a chat message: a non-blank string of at most 16,384
 * characters with no control characters other than `\n` and `\t`.
 *
 * @example
 * WebSocketUtils.validateMessage('Hello') // true
 * WebSocketUtils.validateMessage('   ')   // false
 */
export function validateMessage(content: unknown): boolean {
  return contentRefusal(content) === undefined
}
