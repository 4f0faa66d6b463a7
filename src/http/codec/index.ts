// HTTP/1.1 wire codec: pure functions and classes over Buffers, no sockets.

export type { Framing, HeadResult, RequestHead, ResponseHead } from './types.js';
export { FRAMING_NONE, FRAMING_CHUNKED, FRAMING_CLOSE } from './types.js';
export { HeaderList } from './headers.js';
export { type HttpLimits, limitsFromTune, DEFAULT_LIMITS } from './limits.js';
export { parseRequestHead } from './request-head.js';
export { parseResponseHead, type ResponseContext } from './response-head.js';
export {
  ChunkedDecoder,
  type ChunkedDecoderOptions,
  type ChunkedPushResult,
  encodeChunk,
  encodeLastChunk,
  LAST_CHUNK,
} from './chunked.js';
export {
  serializeRequestHead,
  serializeResponseHead,
  type SerializeOptions,
  type RequestHeadOverrides,
  type ResponseHeadOverrides,
} from './serialize.js';
