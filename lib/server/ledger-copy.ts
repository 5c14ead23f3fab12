/**
 * Ledger rows as a PostgreSQL binary COPY stream
 * (`COPY ledger_events (<COLUMN_NAMES>) FROM STDIN (FORMAT binary)`).
 *
 * Binary, not text, because it is cheaper at both ends: Node writes lengths
 * and integers instead of formatting dates (`toISOString` alone cost more
 * than half a microsecond a row) and escaping every text field, and the
 * server reads integers and timestamps without parsing them (see
 * `npm run bench -- ledger`).
 *
 * The format: an 11-byte signature, two int32 header words (flags and the
 * extension length, both 0); per row an int16 field count, then per field an
 * int32 byte length (-1 for null) and the value in the type's send format;
 * an int16 -1 trailer. Big-endian throughout.
 *
 * Values are checked as the text format's parser would: an int4 must be an
 * integer in range, an int8 a safe integer or a bigint in range, a timestamp
 * a valid date, and a text value a string. A bad value throws
 * `LedgerCopyValueError` naming the row and column, before anything of the
 * chunk reaches the server.
 */
import { COLUMNS, DEFAULTS, type ColumnType, type LedgerRowInput } from './ledger-columns';

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
/** Bytes per buffer handed to the connection: larger buffers cost more in copies and GC (`npm run bench -- ledger`). */
const BUFFER_BYTES = 256 * 1024;
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC), in milliseconds. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 2 ** 32;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

export class LedgerCopyValueError extends Error {
  constructor(
    readonly row: number,
    readonly column: string,
    detail: string,
  ) {
    super(`ledger row ${row}, column ${column}: ${detail}`);
    this.name = 'LedgerCopyValueError';
  }
}

const KEYS = COLUMNS.map(([key]) => key);
const NAMES = COLUMNS.map(([, name]) => name);
const TYPES: ColumnType[] = COLUMNS.map(([, , type]) => type);
const FALLBACKS = KEYS.map((key) => DEFAULTS[key] ?? null);

/** Appends fields to fixed-size buffers, starting a new one when a field would not fit. */
class CopyBuffer {
  private bytes: Buffer<ArrayBuffer> = Buffer.allocUnsafe(BUFFER_BYTES);
  private view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  private at = 0;
  readonly full: Buffer<ArrayBuffer>[] = [];

  /** Makes room for `size` more bytes (a field larger than a buffer gets a buffer of its own). */
  reserve(size: number): void {
    if (this.at + size <= this.bytes.length) return;
    if (this.at > 0) this.full.push(this.bytes.subarray(0, this.at));
    this.bytes = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, size));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.at = 0;
  }

  int16(value: number): void {
    this.reserve(2);
    this.view.setInt16(this.at, value);
    this.at += 2;
  }

  int32(value: number): void {
    this.reserve(4);
    this.view.setInt32(this.at, value);
    this.at += 4;
  }

  /** A length-prefixed int4 field. */
  int4Field(value: number): void {
    this.reserve(8);
    this.view.setInt32(this.at, 4);
    this.view.setInt32(this.at + 4, value);
    this.at += 8;
  }

  /** A length-prefixed int8 field from a safe integer, split into two 32-bit words. */
  int8Field(value: number): void {
    this.reserve(12);
    const high = Math.floor(value / TWO_32);
    this.view.setInt32(this.at, 8);
    this.view.setInt32(this.at + 4, high);
    this.view.setUint32(this.at + 8, value - high * TWO_32);
    this.at += 12;
  }

  /** A length-prefixed int8 field from a bigint already checked to be in range. */
  bigint8Field(value: bigint): void {
    this.reserve(12);
    this.view.setInt32(this.at, 8);
    this.view.setBigInt64(this.at + 4, value);
    this.at += 12;
  }

  float4Field(value: number): void {
    this.reserve(8);
    this.view.setInt32(this.at, 4);
    this.view.setFloat32(this.at + 4, value);
    this.at += 8;
  }

  /** A length-prefixed UTF-8 text field: ASCII copied byte by byte, anything else through Buffer.write. */
  textField(value: string): void {
    const length = value.length;
    this.reserve(4 + length * 3);
    const start = this.at + 4;
    const bytes = this.bytes;
    let i = 0;
    for (; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) break;
      bytes[start + i] = code;
    }
    const written = i === length ? length : i + bytes.write(value.slice(i), start + i, 'utf8');
    this.view.setInt32(this.at, written);
    this.at = start + written;
  }

  raw(values: readonly number[]): void {
    this.reserve(values.length);
    for (const value of values) this.bytes[this.at++] = value;
  }

  /** Hands over every filled buffer, the current one included if it holds anything. */
  drain(final: boolean): Buffer<ArrayBuffer>[] {
    if (final && this.at > 0) {
      this.full.push(this.bytes.subarray(0, this.at));
      this.bytes = Buffer.allocUnsafe(0);
      this.at = 0;
    }
    return this.full.splice(0);
  }
}

function writeInt4(out: CopyBuffer, value: unknown, row: number, column: number): void {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -2_147_483_648 || n > 2_147_483_647) {
    throw new LedgerCopyValueError(row, NAMES[column]!, `${String(value)} is not an int4`);
  }
  out.int4Field(n);
}

function writeInt8(out: CopyBuffer, value: unknown, row: number, column: number): void {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return out.int8Field(value);
  let big: bigint | null = null;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) big = BigInt(value);
  if (big === null || big < INT8_MIN || big > INT8_MAX) {
    throw new LedgerCopyValueError(row, NAMES[column]!, `${String(value)} is not an int8`);
  }
  if (big >= -9_007_199_254_740_991n && big <= 9_007_199_254_740_991n) out.int8Field(Number(big));
  else out.bigint8Field(big);
}

function writeTimestamp(out: CopyBuffer, value: unknown, row: number, column: number): void {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new LedgerCopyValueError(row, NAMES[column]!, `${String(value)} is not a timestamp`);
  out.int8Field((ms - PG_EPOCH_MS) * 1000);
}

function writeFloat4(out: CopyBuffer, value: unknown, row: number, column: number): void {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n)) throw new LedgerCopyValueError(row, NAMES[column]!, `${String(value)} is not a float4`);
  out.float4Field(n);
}

function writeRow(out: CopyBuffer, source: LedgerRowInput, row: number): void {
  out.int16(KEYS.length);
  for (let c = 0; c < KEYS.length; c++) {
    const value = source[KEYS[c]!] ?? FALLBACKS[c];
    if (value === null || value === undefined) {
      out.int32(-1);
      continue;
    }
    switch (TYPES[c]) {
      case 'text':
        if (typeof value !== 'string') throw new LedgerCopyValueError(row, NAMES[c]!, `${typeof value} is not text`);
        out.textField(value);
        break;
      case 'int4':
        if (typeof value === 'number' && (value | 0) === value) out.int4Field(value);
        else writeInt4(out, value, row, c);
        break;
      case 'int8':
        writeInt8(out, value, row, c);
        break;
      case 'timestamptz':
        writeTimestamp(out, value, row, c);
        break;
      case 'float4':
        writeFloat4(out, value, row, c);
        break;
    }
  }
}

/**
 * Rows [from, to) of `rows` as binary COPY data, header to trailer, in
 * buffers of about 256 KB, in `COLUMNS` order with defaults applied.
 */
export function* binaryCopyData(rows: readonly LedgerRowInput[], from = 0, to = rows.length): Generator<Buffer<ArrayBuffer>> {
  const out = new CopyBuffer();
  out.raw(SIGNATURE);
  out.int32(0);
  out.int32(0);
  for (let r = from; r < to; r++) {
    writeRow(out, rows[r]!, r);
    if (out.full.length > 0) yield* out.drain(false);
  }
  out.int16(-1);
  yield* out.drain(true);
}
