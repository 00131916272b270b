// BufferSource conversions: the bytes of an ArrayBuffer or a view, read through the
// intrinsic getters (a user-defined `buffer` property on an array changes nothing).
const { getOwnPropertyDescriptor, getPrototypeOf } = Object;
const TypeErrorCtor = TypeError;
const apply = Reflect.apply;
const Uint8ArrayCtor = Uint8Array;
const isView = ArrayBuffer.isView;
const typedArrayProto = getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag).get;
const arrayBufferByteLength = getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
const dataViewBuffer = getOwnPropertyDescriptor(DataView.prototype, 'buffer').get;
const dataViewOffset = getOwnPropertyDescriptor(DataView.prototype, 'byteOffset').get;
const dataViewLength = getOwnPropertyDescriptor(DataView.prototype, 'byteLength').get;
const typedBuffer = getOwnPropertyDescriptor(typedArrayProto, 'buffer').get;
const typedOffset = getOwnPropertyDescriptor(typedArrayProto, 'byteOffset').get;
const typedLength = getOwnPropertyDescriptor(typedArrayProto, 'byteLength').get;
const uint8Slice = Uint8Array.prototype.slice;

/** The name of `v`'s typed array kind ('Uint8Array', …), or undefined for anything else. */
export function typedArrayKind(v) {
  return apply(typedArrayTag, v, []);
}

/** A Uint8Array over the memory of a BufferSource, or undefined if `v` is none. */
export function bytesOf(v) {
  if (isView(v)) {
    if (typedArrayKind(v) !== undefined) {
      return new Uint8ArrayCtor(
        apply(typedBuffer, v, []),
        apply(typedOffset, v, []),
        apply(typedLength, v, []),
      );
    }
    return new Uint8ArrayCtor(
      apply(dataViewBuffer, v, []),
      apply(dataViewOffset, v, []),
      apply(dataViewLength, v, []),
    );
  }
  try {
    apply(arrayBufferByteLength, v, []);
  } catch {
    return undefined;
  }
  return new Uint8ArrayCtor(v);
}

/**
 * A copy of the bytes of a BufferSource in a Uint8Array of their own (what crosses to the
 * host: a view would carry its whole buffer), or a TypeError that names `what`.
 */
export function copyBytes(v, what) {
  const view = bytesOf(v);
  if (view === undefined) {
    throw new TypeErrorCtor(`${what} is not an ArrayBuffer, TypedArray or DataView`);
  }
  return apply(uint8Slice, view, []);
}
