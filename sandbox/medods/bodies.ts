/**
 * Bodies a hostile Medods streams, made as they are read so a test can count what a client pulled:
 * `served(n)` is told of every `n` bytes handed over.
 */
type Served = (bytes: number) => void

const CHUNK_BYTES = 64 * 1024
const encoder = new TextEncoder()

/** A list that looks endless: `{"data":[{"id":1,"note":"xxx…"},…`, `bytes` long, a chunk per read. */
export function endlessList(bytes: number, served: Served): ReadableStream<Uint8Array> {
  const head = encoder.encode('{"data":[')
  const item = encoder.encode(`{"id":1,"note":"${'x'.repeat(CHUNK_BYTES - 20)}"},`)
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close()
      // A fresh copy each time: a runtime may detach what it was handed.
      const chunk = (sent === 0 ? head : item).slice(0, bytes - sent)
      sent += chunk.byteLength
      served(chunk.byteLength)
      controller.enqueue(chunk)
    },
  })
}

/** `text` one byte every `everyMs`; a reader that gives up cancels it and stops the trickle. */
export function trickle(text: string, everyMs: number, served: Served): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text)
  let sent = 0
  let cancelled = false
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, everyMs))
      if (cancelled) return
      if (sent >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(sent, sent + 1))
      sent++
      served(1)
    },
    cancel() {
      cancelled = true
    },
  })
}
