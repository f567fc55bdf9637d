/**
 * ioctl request numbers (include/uapi/asm-generic/ioctl.h, x86-64): a
 * request packs direction, argument size, type and number:
 * ```
 *   31 30 29          16 15       8 7        0
 *  +-----+--------------+----------+----------+
 *  | dir |     size     |   type   |    nr    |
 *  +-----+--------------+----------+----------+
 * ```
 * dir: _IOC_WRITE (1, user -> kernel), _IOC_READ (2, kernel -> user).
 * Old requests (FIONREAD, FIOCLEX: type 'T' = 0x54) predate the encoding
 * and carry neither direction nor size.
 * @module
 */

import { VFIO_CONSTANTS, VFIO_IOCTLS } from "./vfio.ts";

export const _IOC_NONE = 0;
export const _IOC_WRITE = 1;
export const _IOC_READ = 2;

/** _IOC(dir, type, nr, size) */
export function _IOC(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}
/** _IO(type, nr) */
export const _IO = (type: number, nr: number): number => _IOC(_IOC_NONE, type, nr, 0);
/** _IOR(type, nr, size): the kernel writes `size` bytes back. */
export const _IOR = (type: number, nr: number, size: number): number =>
  _IOC(_IOC_READ, type, nr, size);
/** _IOW(type, nr, size): the kernel reads `size` bytes. */
export const _IOW = (type: number, nr: number, size: number): number =>
  _IOC(_IOC_WRITE, type, nr, size);
/** _IOWR(type, nr, size) */
export const _IOWR = (type: number, nr: number, size: number): number =>
  _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);

// include/uapi/asm-generic/ioctls.h
/** FIONREAD (= TIOCINQ): bytes ready to read, an int. */
export const FIONREAD = 0x541b;
/** FIONBIO: set/clear O_NONBLOCK from an int. */
export const FIONBIO = 0x5421;
/** FIONCLEX: clear close-on-exec. */
export const FIONCLEX = 0x5450;
/** FIOCLEX: set close-on-exec. */
export const FIOCLEX = 0x5451;
/** FIOASYNC: set/clear O_ASYNC from an int. */
export const FIOASYNC = 0x5452;
/** TCGETS: a terminal's termios. */
export const TCGETS = 0x5401;

// include/uapi/linux/fs.h
/** FIGETBSZ: the filesystem block size, an int. */
export const FIGETBSZ = _IO(0x00, 2);
/** FS_IOC_GETFLAGS = _IOR('f', 1, long): the inode's FS_*_FL flags (an int in practice). */
export const FS_IOC_GETFLAGS = _IOR(0x66, 1, 8);

// ---------------------------------------------------------------------------
// Argument layouts. Each request's argument is declared once: a plain int
// register, a pointer to an int, or a pointer to a struct whose fields
// (offset, width, flag names) serve three readers: the REPL's struct
// literals (`{range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING}`),
// the kernel side's copy_from_user/copy_to_user, and strace-style printing.

/** A field's C type: a little-endian integer of 4 or 8 bytes, or a nested struct. */
export type FieldType = "u32" | "s32" | "u64" | "s64" | StructLayout;

/** One field of a {@link StructLayout}. */
export interface FieldDecl {
  /** The C field name (`mode`). */
  readonly name: string;
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** Its C type. */
  readonly type: FieldType;
  /** Bit names, as strace prints them (`UFFDIO_REGISTER_MODE_MISSING`, `1<<_UFFDIO_WAKE`). */
  readonly flags?: readonly (readonly [string, bigint])[];
  /** Print in hex (addresses, magic numbers) rather than decimal. */
  readonly hex?: boolean;
  /** A resource limit: printed as strace's sprint_rlim64 (`8192*1024`, `RLIM64_INFINITY`). */
  readonly rlim?: boolean;
}

/** A C struct's layout: its name, sizeof, and fields by offset, for decoding and printing. */
export interface StructLayout {
  /** The C name (`struct uffdio_register`). */
  readonly name: string;
  /** sizeof the struct in bytes. */
  readonly size: number;
  /** The fields, in declaration order. */
  readonly fields: readonly FieldDecl[];
}

/** What the third argument of an ioctl request is. */
export type IoctlArgKind =
  | { readonly kind: "none" }
  | { readonly kind: "int" }
  | {
    readonly kind: "ptr";
    readonly to: "int" | StructLayout;
    /** Which way the data goes: `in` (the kernel only reads), `out`, `inout`. */
    readonly dir: "in" | "out" | "inout";
    /** Bit names of a pointed-to int (FS_IOC_GETFLAGS: FS_EXTENT_FL). */
    readonly flags?: readonly (readonly [string, bigint])[];
  };

/** An ioctl request mmlab knows: its name, number and argument. */
export interface IoctlDecl {
  /** The request's name as strace prints it (`UFFDIO_COPY`). */
  readonly name: string;
  /** The request number (_IOC direction, type, nr, size). */
  readonly cmd: number;
  /** What the third argument is. */
  readonly arg: IoctlArgKind;
}

/** include/uapi/linux/fs.h: struct fsxattr. */
export const FSXATTR: StructLayout = {
  name: "struct fsxattr",
  size: 28,
  fields: [
    { name: "fsx_xflags", offset: 0, type: "u32", hex: true },
    { name: "fsx_extsize", offset: 4, type: "u32" },
    { name: "fsx_nextents", offset: 8, type: "u32" },
    { name: "fsx_projid", offset: 12, type: "u32" },
    { name: "fsx_cowextsize", offset: 16, type: "u32" },
  ],
};
/** FS_IOC_FSGETXATTR = _IOR('X', 31, struct fsxattr) */
export const FS_IOC_FSGETXATTR = _IOR(0x58, 31, 28);

// include/uapi/linux/userfaultfd.h: the layouts fs/userfaultfd.c serves.
// Printed field by field as strace's src/userfaultfd.c does: addresses,
// lengths and the copy/zeropage results with PRINT_FIELD_X (hex),
// UFFDIO_CONTINUE's `mapped` and UFFDIO_POISON's `updated` with
// PRINT_FIELD_U (decimal). strace does not decode UFFDIO_MOVE; its struct
// prints as UFFDIO_COPY's, which it mirrors.
// (lib/fs/userfaultfd.ts); any other file answers ENOTTY.
const UFFDIO = 0xaa;
/** The _UFFDIO_* command numbers, as `1<<_UFFDIO_X` bits of `ioctls`. */
const UFFDIO_BITS: readonly (readonly [string, bigint])[] = [
  ["1<<_UFFDIO_REGISTER", 1n << 0n],
  ["1<<_UFFDIO_UNREGISTER", 1n << 1n],
  ["1<<_UFFDIO_WAKE", 1n << 2n],
  ["1<<_UFFDIO_COPY", 1n << 3n],
  ["1<<_UFFDIO_ZEROPAGE", 1n << 4n],
  ["1<<_UFFDIO_MOVE", 1n << 5n],
  ["1<<_UFFDIO_WRITEPROTECT", 1n << 6n],
  ["1<<_UFFDIO_CONTINUE", 1n << 7n],
  ["1<<_UFFDIO_POISON", 1n << 8n],
  ["1<<_UFFDIO_API", 1n << 63n],
];
/** UFFD_API: the only API version (include/uapi/linux/userfaultfd.h). */
export const UFFD_API = 0xaan;
/** UFFD_FEATURE_* bits (uffdio_api.features), as strace names them. */
export const UFFD_FEATURE_NAMES: readonly (readonly [string, bigint])[] = [
  ["UFFD_FEATURE_PAGEFAULT_FLAG_WP", 1n << 0n],
  ["UFFD_FEATURE_EVENT_FORK", 1n << 1n],
  ["UFFD_FEATURE_EVENT_REMAP", 1n << 2n],
  ["UFFD_FEATURE_EVENT_REMOVE", 1n << 3n],
  ["UFFD_FEATURE_MISSING_HUGETLBFS", 1n << 4n],
  ["UFFD_FEATURE_MISSING_SHMEM", 1n << 5n],
  ["UFFD_FEATURE_EVENT_UNMAP", 1n << 6n],
  ["UFFD_FEATURE_SIGBUS", 1n << 7n],
  ["UFFD_FEATURE_THREAD_ID", 1n << 8n],
  ["UFFD_FEATURE_MINOR_HUGETLBFS", 1n << 9n],
  ["UFFD_FEATURE_MINOR_SHMEM", 1n << 10n],
  ["UFFD_FEATURE_EXACT_ADDRESS", 1n << 11n],
  ["UFFD_FEATURE_WP_HUGETLBFS_SHMEM", 1n << 12n],
  ["UFFD_FEATURE_WP_UNPOPULATED", 1n << 13n],
  ["UFFD_FEATURE_POISON", 1n << 14n],
  ["UFFD_FEATURE_WP_ASYNC", 1n << 15n],
  ["UFFD_FEATURE_MOVE", 1n << 16n],
];
export const UFFDIO_RANGE: StructLayout = {
  name: "struct uffdio_range",
  size: 16,
  fields: [
    { name: "start", offset: 0, type: "u64", hex: true },
    { name: "len", offset: 8, type: "u64", hex: true },
  ],
};
export const UFFDIO_REGISTER_MODE_MISSING = 1n << 0n;
export const UFFDIO_REGISTER_MODE_WP = 1n << 1n;
export const UFFDIO_REGISTER_MODE_MINOR = 1n << 2n;
export const UFFDIO_REGISTER_LAYOUT: StructLayout = {
  name: "struct uffdio_register",
  size: 32,
  fields: [
    { name: "range", offset: 0, type: UFFDIO_RANGE },
    {
      name: "mode",
      offset: 16,
      type: "u64",
      flags: [
        ["UFFDIO_REGISTER_MODE_MISSING", UFFDIO_REGISTER_MODE_MISSING],
        ["UFFDIO_REGISTER_MODE_WP", UFFDIO_REGISTER_MODE_WP],
        ["UFFDIO_REGISTER_MODE_MINOR", UFFDIO_REGISTER_MODE_MINOR],
      ],
    },
    { name: "ioctls", offset: 24, type: "u64", flags: UFFDIO_BITS },
  ],
};
export const UFFDIO_API_LAYOUT: StructLayout = {
  name: "struct uffdio_api",
  size: 24,
  fields: [
    { name: "api", offset: 0, type: "u64", hex: true },
    { name: "features", offset: 8, type: "u64", flags: UFFD_FEATURE_NAMES },
    { name: "ioctls", offset: 16, type: "u64", flags: UFFDIO_BITS },
  ],
};
export const UFFDIO_COPY_MODE_DONTWAKE = 1n << 0n;
export const UFFDIO_COPY_MODE_WP = 1n << 1n;
export const UFFDIO_ZEROPAGE_MODE_DONTWAKE = 1n << 0n;
export const UFFDIO_COPY_LAYOUT: StructLayout = {
  name: "struct uffdio_copy",
  size: 40,
  fields: [
    { name: "dst", offset: 0, type: "u64", hex: true },
    { name: "src", offset: 8, type: "u64", hex: true },
    { name: "len", offset: 16, type: "u64", hex: true },
    {
      name: "mode",
      offset: 24,
      type: "u64",
      flags: [
        ["UFFDIO_COPY_MODE_DONTWAKE", UFFDIO_COPY_MODE_DONTWAKE],
        ["UFFDIO_COPY_MODE_WP", UFFDIO_COPY_MODE_WP],
      ],
    },
    { name: "copy", offset: 32, type: "s64", hex: true },
  ],
};
export const UFFDIO_ZEROPAGE_LAYOUT: StructLayout = {
  name: "struct uffdio_zeropage",
  size: 32,
  fields: [
    { name: "range", offset: 0, type: UFFDIO_RANGE },
    {
      name: "mode",
      offset: 16,
      type: "u64",
      flags: [["UFFDIO_ZEROPAGE_MODE_DONTWAKE", UFFDIO_ZEROPAGE_MODE_DONTWAKE]],
    },
    { name: "zeropage", offset: 24, type: "s64", hex: true },
  ],
};
export const UFFDIO_MOVE_MODE_DONTWAKE = 1n << 0n;
export const UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES = 1n << 1n;
export const UFFDIO_MOVE_LAYOUT: StructLayout = {
  name: "struct uffdio_move",
  size: 40,
  fields: [
    { name: "dst", offset: 0, type: "u64", hex: true },
    { name: "src", offset: 8, type: "u64", hex: true },
    { name: "len", offset: 16, type: "u64", hex: true },
    {
      name: "mode",
      offset: 24,
      type: "u64",
      flags: [
        ["UFFDIO_MOVE_MODE_DONTWAKE", UFFDIO_MOVE_MODE_DONTWAKE],
        ["UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES", UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES],
      ],
    },
    { name: "move", offset: 32, type: "s64", hex: true },
  ],
};
export const UFFDIO_WRITEPROTECT_MODE_WP = 1n << 0n;
export const UFFDIO_WRITEPROTECT_MODE_DONTWAKE = 1n << 1n;
export const UFFDIO_WRITEPROTECT_LAYOUT: StructLayout = {
  name: "struct uffdio_writeprotect",
  size: 24,
  fields: [
    { name: "range", offset: 0, type: UFFDIO_RANGE },
    {
      name: "mode",
      offset: 16,
      type: "u64",
      flags: [
        ["UFFDIO_WRITEPROTECT_MODE_WP", UFFDIO_WRITEPROTECT_MODE_WP],
        ["UFFDIO_WRITEPROTECT_MODE_DONTWAKE", UFFDIO_WRITEPROTECT_MODE_DONTWAKE],
      ],
    },
  ],
};
export const UFFDIO_CONTINUE_MODE_DONTWAKE = 1n << 0n;
export const UFFDIO_CONTINUE_MODE_WP = 1n << 1n;
export const UFFDIO_CONTINUE_LAYOUT: StructLayout = {
  name: "struct uffdio_continue",
  size: 32,
  fields: [
    { name: "range", offset: 0, type: UFFDIO_RANGE },
    {
      name: "mode",
      offset: 16,
      type: "u64",
      flags: [
        ["UFFDIO_CONTINUE_MODE_DONTWAKE", UFFDIO_CONTINUE_MODE_DONTWAKE],
        ["UFFDIO_CONTINUE_MODE_WP", UFFDIO_CONTINUE_MODE_WP],
      ],
    },
    { name: "mapped", offset: 24, type: "s64" },
  ],
};
export const UFFDIO_POISON_MODE_DONTWAKE = 1n << 0n;
export const UFFDIO_POISON_LAYOUT: StructLayout = {
  name: "struct uffdio_poison",
  size: 32,
  fields: [
    { name: "range", offset: 0, type: UFFDIO_RANGE },
    {
      name: "mode",
      offset: 16,
      type: "u64",
      flags: [["UFFDIO_POISON_MODE_DONTWAKE", UFFDIO_POISON_MODE_DONTWAKE]],
    },
    { name: "updated", offset: 24, type: "s64" },
  ],
};
/** UFFDIO_WRITEPROTECT = _IOWR(UFFDIO, 0x06, struct uffdio_writeprotect) (5.7) */
export const UFFDIO_WRITEPROTECT = _IOWR(UFFDIO, 0x06, 24);
/** UFFDIO_CONTINUE = _IOWR(UFFDIO, 0x07, struct uffdio_continue) (5.13) */
export const UFFDIO_CONTINUE = _IOWR(UFFDIO, 0x07, 32);
/** UFFDIO_POISON = _IOWR(UFFDIO, 0x08, struct uffdio_poison) (6.6) */
export const UFFDIO_POISON = _IOWR(UFFDIO, 0x08, 32);
/** UFFDIO_MOVE = _IOWR(UFFDIO, 0x05, struct uffdio_move) (6.8) */
export const UFFDIO_MOVE = _IOWR(UFFDIO, 0x05, 40);
/** USERFAULTFD_IOC_NEW = _IO(USERFAULTFD_IOC, 0x00), on /dev/userfaultfd (6.1) */
export const USERFAULTFD_IOC_NEW: number = _IO(UFFDIO, 0x00);
/** UFFDIO_WAKE = _IOR(UFFDIO, 0x02, struct uffdio_range) */
export const UFFDIO_WAKE = _IOR(UFFDIO, 0x02, 16);
/** UFFDIO_COPY = _IOWR(UFFDIO, 0x03, struct uffdio_copy) */
export const UFFDIO_COPY = _IOWR(UFFDIO, 0x03, 40);
/** UFFDIO_ZEROPAGE = _IOWR(UFFDIO, 0x04, struct uffdio_zeropage) */
export const UFFDIO_ZEROPAGE = _IOWR(UFFDIO, 0x04, 32);
/** UFFDIO_API = _IOWR(UFFDIO, 0x3f, struct uffdio_api) */
export const UFFDIO_API = _IOWR(UFFDIO, 0x3f, 24);
/** UFFDIO_REGISTER = _IOWR(UFFDIO, 0x00, struct uffdio_register) */
export const UFFDIO_REGISTER = _IOWR(UFFDIO, 0x00, 32);
/** UFFDIO_UNREGISTER = _IOR(UFFDIO, 0x01, struct uffdio_range) */
export const UFFDIO_UNREGISTER = _IOR(UFFDIO, 0x01, 16);

const none = { kind: "none" } as const;
const intIn = { kind: "ptr", to: "int", dir: "in" } as const;
const intOut = { kind: "ptr", to: "int", dir: "out" } as const;
const ptr = (to: StructLayout, dir: "in" | "out" | "inout") => ({ kind: "ptr", to, dir }) as const;

/** include/uapi/linux/fs.h FS_*_FL, as strace names them (the ones mmlab's files carry). */
export const FS_FL_NAMES: readonly (readonly [string, bigint])[] = [
  ["FS_IMMUTABLE_FL", 0x10n],
  ["FS_APPEND_FL", 0x20n],
  ["FS_NOATIME_FL", 0x80n],
  ["FS_INDEX_FL", 0x1000n],
  ["FS_EXTENT_FL", 0x80000n],
];

/** Every ioctl request mmlab knows by name, with its argument. */
export const IOCTLS: readonly IoctlDecl[] = [
  { name: "TCGETS", cmd: TCGETS, arg: intOut },
  { name: "FIONREAD", cmd: FIONREAD, arg: intOut },
  { name: "FIONBIO", cmd: FIONBIO, arg: intIn },
  { name: "FIONCLEX", cmd: FIONCLEX, arg: none },
  { name: "FIOCLEX", cmd: FIOCLEX, arg: none },
  { name: "FIOASYNC", cmd: FIOASYNC, arg: intIn },
  { name: "FIGETBSZ", cmd: FIGETBSZ, arg: intOut },
  { name: "FS_IOC_GETFLAGS", cmd: FS_IOC_GETFLAGS, arg: { ...intOut, flags: FS_FL_NAMES } },
  { name: "FS_IOC_FSGETXATTR", cmd: FS_IOC_FSGETXATTR, arg: ptr(FSXATTR, "out") },
  { name: "UFFDIO_API", cmd: UFFDIO_API, arg: ptr(UFFDIO_API_LAYOUT, "inout") },
  { name: "UFFDIO_REGISTER", cmd: UFFDIO_REGISTER, arg: ptr(UFFDIO_REGISTER_LAYOUT, "inout") },
  { name: "UFFDIO_UNREGISTER", cmd: UFFDIO_UNREGISTER, arg: ptr(UFFDIO_RANGE, "in") },
  { name: "UFFDIO_WAKE", cmd: UFFDIO_WAKE, arg: ptr(UFFDIO_RANGE, "in") },
  { name: "UFFDIO_COPY", cmd: UFFDIO_COPY, arg: ptr(UFFDIO_COPY_LAYOUT, "inout") },
  { name: "UFFDIO_ZEROPAGE", cmd: UFFDIO_ZEROPAGE, arg: ptr(UFFDIO_ZEROPAGE_LAYOUT, "inout") },
  { name: "UFFDIO_MOVE", cmd: UFFDIO_MOVE, arg: ptr(UFFDIO_MOVE_LAYOUT, "inout") },
  {
    name: "UFFDIO_WRITEPROTECT",
    cmd: UFFDIO_WRITEPROTECT,
    arg: ptr(UFFDIO_WRITEPROTECT_LAYOUT, "in"),
  },
  { name: "UFFDIO_CONTINUE", cmd: UFFDIO_CONTINUE, arg: ptr(UFFDIO_CONTINUE_LAYOUT, "inout") },
  { name: "UFFDIO_POISON", cmd: UFFDIO_POISON, arg: ptr(UFFDIO_POISON_LAYOUT, "inout") },
  { name: "USERFAULTFD_IOC_NEW", cmd: USERFAULTFD_IOC_NEW, arg: { kind: "int" } },
  ...VFIO_IOCTLS,
];

/** The declaration of request `cmd`, if mmlab knows it. */
export function ioctlDecl(cmd: number): IoctlDecl | undefined {
  return IOCTLS.find((d) => d.cmd === cmd >>> 0);
}

/** Named constants usable in struct literals (flag values), by name. */
export const IOCTL_CONSTANTS: ReadonlyMap<string, bigint> = new Map<string, bigint>([
  ...IOCTLS.map((d) => [d.name, BigInt(d.cmd)] as [string, bigint]),
  ["UFFD_API", UFFD_API],
  ...UFFD_FEATURE_NAMES,
  ["UFFDIO_COPY_MODE_DONTWAKE", UFFDIO_COPY_MODE_DONTWAKE],
  ["UFFDIO_COPY_MODE_WP", UFFDIO_COPY_MODE_WP],
  ["UFFDIO_ZEROPAGE_MODE_DONTWAKE", UFFDIO_ZEROPAGE_MODE_DONTWAKE],
  ["UFFDIO_MOVE_MODE_DONTWAKE", UFFDIO_MOVE_MODE_DONTWAKE],
  ["UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES", UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES],
  ["UFFDIO_REGISTER_MODE_MISSING", UFFDIO_REGISTER_MODE_MISSING],
  ["UFFDIO_REGISTER_MODE_WP", UFFDIO_REGISTER_MODE_WP],
  ["UFFDIO_REGISTER_MODE_MINOR", UFFDIO_REGISTER_MODE_MINOR],
  ["UFFDIO_WRITEPROTECT_MODE_WP", UFFDIO_WRITEPROTECT_MODE_WP],
  ["UFFDIO_WRITEPROTECT_MODE_DONTWAKE", UFFDIO_WRITEPROTECT_MODE_DONTWAKE],
  ["UFFDIO_CONTINUE_MODE_DONTWAKE", UFFDIO_CONTINUE_MODE_DONTWAKE],
  ["UFFDIO_CONTINUE_MODE_WP", UFFDIO_CONTINUE_MODE_WP],
  ["UFFDIO_POISON_MODE_DONTWAKE", UFFDIO_POISON_MODE_DONTWAKE],
  ...FS_FL_NAMES,
  ...VFIO_CONSTANTS,
]);

/** A struct's value: each field a number or a nested struct value. */
export type StructValue = Map<string, bigint | StructValue>;

/**
 * Encodes `v` as `layout`'s bytes; fields left out are 0. Returns the
 * bytes, or the name of a field the layout lacks / a value that is a
 * struct where a number belongs (or the reverse).
 */
export function encodeStruct(layout: StructLayout, v: StructValue): Uint8Array | string {
  const out = new Uint8Array(layout.size);
  const err = encodeInto(layout, v, new DataView(out.buffer), 0, "");
  return err ?? out;
}

function encodeInto(
  layout: StructLayout,
  v: StructValue,
  dv: DataView,
  base: number,
  path: string,
): string | undefined {
  for (const [name, val] of v) {
    const f = layout.fields.find((x) => x.name === name);
    if (f === undefined) return `${layout.name} has no field ${path}${name}`;
    if (typeof f.type === "object") {
      if (typeof val === "bigint") return `${path}${name} is a struct: write ${name}={...}`;
      const e = encodeInto(f.type, val, dv, base + f.offset, `${path}${name}.`);
      if (e !== undefined) return e;
    } else {
      if (typeof val !== "bigint") return `${path}${name} is a number, not a struct`;
      if (f.type === "u64" || f.type === "s64") {
        dv.setBigUint64(base + f.offset, BigInt.asUintN(64, val), true);
      } else dv.setUint32(base + f.offset, Number(BigInt.asUintN(32, val)), true);
    }
  }
  return undefined;
}

/** Decodes `layout` from `bytes` (at least layout.size long). */
export function decodeStruct(layout: StructLayout, bytes: Uint8Array, base = 0): StructValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v: StructValue = new Map();
  for (const f of layout.fields) {
    const at = base + f.offset;
    if (typeof f.type === "object") v.set(f.name, decodeStruct(f.type, bytes, at));
    else if (f.type === "u64") v.set(f.name, dv.getBigUint64(at, true));
    else if (f.type === "s64") v.set(f.name, dv.getBigInt64(at, true));
    else if (f.type === "s32") v.set(f.name, BigInt(dv.getInt32(at, true)));
    else v.set(f.name, BigInt(dv.getUint32(at, true)));
  }
  return v;
}

/** A flags value as strace prints it: `A|B|0x40`, or `0`. */
export function formatFlags(v: bigint, names: readonly (readonly [string, bigint])[]): string {
  if (v === 0n) return "0";
  const parts: string[] = [];
  let rest = v;
  for (const [n, bit] of names) {
    if ((rest & bit) === bit && bit !== 0n) {
      parts.push(n);
      rest &= ~bit;
    }
  }
  if (rest !== 0n) parts.push(`0x${rest.toString(16)}`);
  return parts.join("|");
}

/** strace's sprint_rlim64(): RLIM64_INFINITY, `N*1024` for multiples of 1 KiB above it, else N. */
export function formatRlimValue(v: bigint): string {
  if (v === 0xffffffffffffffffn) return "RLIM64_INFINITY";
  if (v > 1024n && v % 1024n === 0n) return `${v / 1024n}*1024`;
  return v.toString();
}

/** A struct as strace prints it: `{range={start=0x7f0000000000, len=0x4000}, mode=...}`. */
export function formatStruct(layout: StructLayout, v: StructValue): string {
  const parts = layout.fields.map((f) => {
    const x = v.get(f.name);
    if (typeof f.type === "object") return `${f.name}=${formatStruct(f.type, x as StructValue)}`;
    const n = x as bigint;
    if (f.flags !== undefined) return `${f.name}=${formatFlags(n, f.flags)}`;
    if (f.rlim) return `${f.name}=${formatRlimValue(n)}`;
    // strace's PRINT_FIELD_X: "%#llx" of the value as unsigned (0 is "0").
    if (f.hex) return `${f.name}=${n === 0n ? "0" : `0x${BigInt.asUintN(64, n).toString(16)}`}`;
    return `${f.name}=${n.toString()}`;
  });
  return `{${parts.join(", ")}}`;
}
