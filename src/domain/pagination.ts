// Keyset pagination: a cursor is the (sort key, id) of the last row served, opaque to clients.
// Pages therefore cost the same whatever their depth, and never read more than limit + 1 rows.
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { AppError } from "../errors";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Cursor {
  time: number;
  id: string;
}

export interface TextCursor {
  key: string;
  id: string;
}

function encode(value: unknown): string {
  return encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(value)));
}

function decode(value: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(value)));
  } catch {
    return null;
  }
}

function invalidCursor(): AppError {
  return new AppError("VALIDATION_FAILED", {
    fieldErrors: [{ field: "cursor", message: "This cursor is not valid." }],
  });
}

const idPattern = /^[A-Za-z0-9_]{1,64}$/;

export function encodeCursor(cursor: Cursor): string {
  return encode([cursor.time, cursor.id]);
}

export function decodeCursor(value: string | undefined): Cursor | null {
  if (!value) return null;
  const decoded = decode(value);
  if (
    Array.isArray(decoded) &&
    Number.isSafeInteger(decoded[0]) &&
    typeof decoded[1] === "string" &&
    idPattern.test(decoded[1])
  ) {
    return { time: decoded[0], id: decoded[1] };
  }
  throw invalidCursor();
}

export function encodeTextCursor(cursor: TextCursor): string {
  return encode([cursor.key, cursor.id]);
}

export function decodeTextCursor(value: string | undefined): TextCursor | null {
  if (!value) return null;
  const decoded = decode(value);
  if (
    Array.isArray(decoded) &&
    typeof decoded[0] === "string" &&
    decoded[0].length <= 300 &&
    typeof decoded[1] === "string" &&
    idPattern.test(decoded[1])
  ) {
    return { key: decoded[0], id: decoded[1] };
  }
  throw invalidCursor();
}

/** Slices the limit + 1 rows a page query read into the page and the cursor of the next one. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}
