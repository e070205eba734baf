// Keyset pagination: a cursor is the (time, id) of the last row served, opaque to clients.
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

export function encodeCursor(cursor: Cursor): string {
  return encodeBase64urlNoPadding(new TextEncoder().encode(`${cursor.time}:${cursor.id}`));
}

export function decodeCursor(value: string | undefined): Cursor | null {
  if (!value) return null;
  try {
    const text = new TextDecoder().decode(decodeBase64urlIgnorePadding(value));
    const match = /^(-?\d{1,16}):([A-Za-z0-9_]{1,64})$/.exec(text);
    if (match?.[1] && match[2]) return { time: Number(match[1]), id: match[2] };
  } catch {
    // fall through to the error below
  }
  throw new AppError("VALIDATION_FAILED", { fieldErrors: [{ field: "cursor", message: "This cursor is not valid." }] });
}
