/**
 * Byte-level encoding of WebAssembly modules (core specification 1.0, §5: binary format), shared
 * by the project's hand-emitted kernels (wasm-kernel.ts: the stepped engine's kernels;
 * event/wasm-layer.ts: the first-spike-time layer kernel). No toolchain: the kernels are written
 * as expressions and encoded here.
 */

/** Value types (§5.3.1) and the empty block type. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const EMPTY = 0x40;

/** A run of encoded bytes. */
export type Code = number[];

/** Unsigned LEB128 (§5.2.2). */
export function u32(n: number): Code {
  const out: Code = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32). */
export function s32(n: number): Code {
  const out: Code = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** An f64 immediate: IEEE 754 binary64, little-endian. */
export function f64(x: number): Code {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return [...b];
}

/** A vector: its length, then its items. */
export function vec(items: Code[]): Code {
  return [...u32(items.length), ...items.flat()];
}

/** A name: UTF-8 bytes with their length. */
export function name(s: string): Code {
  const b = [...new TextEncoder().encode(s)];
  return [...u32(b.length), ...b];
}

/** A section: id, byte length, body. */
export function section(id: number, body: Code): Code {
  return [id, ...u32(body.length), ...body];
}

/**
 * A function body (§5.5.13): its locals (one entry per run of equal types) and instructions,
 * closed by `end`, prefixed with its byte size.
 */
export function functionBody(localTypes: readonly number[], code: Code): Code {
  const groups: Code[] = [];
  for (let k = 0; k < localTypes.length;) {
    let j = k;
    while (j < localTypes.length && localTypes[j] === localTypes[k]) j++;
    groups.push([...u32(j - k), localTypes[k]]);
    k = j;
  }
  const b = [...vec(groups), ...code, 0x0b];
  return [...u32(b.length), ...b];
}
