// What an HTTP check reads back: the response head (the project's HTTP/1 codec) and as much
// of the body as arrived, bounded like HAProxy's check buffer. Re-read from the start of the
// received bytes each time more arrive: check responses are small and this keeps no state.

import { ChunkedDecoder, DEFAULT_LIMITS, parseResponseHead, type ResponseHead } from '../http/codec/index.js';

/** HAProxy's check buffer (tune.bufsize): a body beyond it is judged on what fits. */
export const CHECK_BUFFER = 16384;

export type HttpRead =
  | { readonly state: 'incomplete' }
  | { readonly state: 'error' }
  | { readonly state: 'head'; readonly head: ResponseHead; readonly body: Buffer; readonly complete: boolean };

export function readHttpResponse(data: Buffer, method: string): HttpRead {
  let at = 0;
  for (;;) {
    const r = parseResponseHead(data.subarray(at), DEFAULT_LIMITS, method);
    if (r.state === 'incomplete') return r;
    if (r.state === 'error') return { state: 'error' };
    const head = r.head;
    // Interim responses (100 Continue, 103 Early Hints) are skipped, as HAProxy's mux does.
    if (head.status < 200 && head.status !== 101) {
      at += r.consumed;
      continue;
    }
    const rest = data.subarray(at + r.consumed);
    const f = head.framing;
    if (f.kind === 'none') return { state: 'head', head, body: Buffer.alloc(0), complete: true };
    if (f.kind === 'length') {
      const body = rest.subarray(0, Math.min(f.length, CHECK_BUFFER));
      return { state: 'head', head, body, complete: rest.length >= f.length || body.length >= CHECK_BUFFER };
    }
    if (f.kind === 'chunked') {
      const dec = new ChunkedDecoder();
      const pushed = dec.push(rest);
      if ('error' in pushed) return { state: 'error' };
      const body = Buffer.concat(pushed.data).subarray(0, CHECK_BUFFER);
      return { state: 'head', head, body, complete: pushed.done || body.length >= CHECK_BUFFER };
    }
    const body = rest.subarray(0, CHECK_BUFFER);
    return { state: 'head', head, body, complete: body.length >= CHECK_BUFFER };
  }
}
