/**
 * Sets of entity ids stored compactly (rule_decision_sets.entity_ids): the ids sorted ascending,
 * each written as its difference from the previous one (the first from 0) in LEB128 varint bytes.
 * Ids of one level are mostly dense, so a 10,000-entity set takes about 10-20 KB instead of the
 * 40 KB of raw 32-bit ids or the megabytes of one row per entity.
 */

/** Pack ids (any order, non-negative integers, duplicates dropped) into bytes. */
export function packIds(ids: Iterable<number>): Buffer {
  const sorted = Int32Array.from(ids).sort()
  const out = Buffer.allocUnsafe(sorted.length * 5)
  let at = 0
  let prev = -1
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i] as number
    if (id < 0) throw new RangeError(`packIds: negative id ${id}`)
    if (id === prev) continue
    let d = prev < 0 ? id : id - prev
    prev = id
    while (d >= 0x80) {
      out[at++] = (d & 0x7f) | 0x80
      d >>>= 7
    }
    out[at++] = d
  }
  return Buffer.from(out.subarray(0, at))
}

/**
 * Walk the ids of a packed set in ascending order; `visit` returning true stops the walk early.
 * The one decoder behind `unpackIds` and `packedHas`.
 */
function eachId(bytes: Uint8Array, visit: (id: number) => boolean | void): void {
  let prev = -1
  let d = 0
  let shift = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    d += (b & 0x7f) * 2 ** shift
    if (b & 0x80) {
      shift += 7
      continue
    }
    prev = prev < 0 ? d : prev + d
    if (visit(prev) === true) return
    d = 0
    shift = 0
  }
}

/** The ids of a packed set, ascending. */
export function unpackIds(bytes: Uint8Array): number[] {
  const out: number[] = []
  eachId(bytes, (id) => {
    out.push(id)
  })
  return out
}

/** Whether a packed set holds `id` (stops at the first id past it). */
export function packedHas(bytes: Uint8Array, id: number): boolean {
  let found = false
  eachId(bytes, (v) => {
    if (v < id) return false
    found = v === id
    return true
  })
  return found
}
