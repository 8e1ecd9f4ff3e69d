export { MessageType, PROTOCOL_VERSION } from './messageTypes'
export { WebSocketErrorCode, CloseCode } from './codes'
export { decodeFrame, validateFrame, encodeFrame, unbatch, DEFAULT_LIMITS } from './codec'
export { encodeBatch } from './codec'
export type { RejectReason, Rejection, DecodeResult, CodecLimits } from './codec'
export { createId } from './ids'
export { makeFrame } from './build'
export { isValidId, isValidRoom, isForbiddenKey, utf8Length } from './validate'
export type * from './frames'
export {
  privateStreamOf,
  isPrivateStream,
  generatePrivateRoomId,
  PRIVATE_STREAM_PREFIX,
} from './streams'
export { PRESENCE_STATUSES, NOTIFICATION_SEVERITIES, MAX_ROOM_PRESENCE_BYTES } from './frames'
export { MAX_ROOM_MEMBERS_PER_FRAME } from './frameData'
export { hasRoomPermission, privateRoomMembers } from './acl'
export type { RoomAcl, RoomAccess, RoomPermission } from './acl'
export {
  DOC_ACCESS,
  isValidDocId,
  encodeBase64,
  decodeBase64,
  base64Length,
  bytesForBase64,
  joinParts,
} from './docFrames'
export type {
  DocAccess,
  DocSyncData,
  DocUpdateData,
  DocAwarenessData,
  DocCloseData,
  DocSyncFrame,
  DocUpdateFrame,
  DocAwarenessFrame,
  DocCloseFrame,
  DocFrame,
} from './docFrames'
