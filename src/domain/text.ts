// Text typed by people (docs/SECURITY.md "Text input: control, invisible and direction-changing
// characters"). Every text field of every page and API schema is built here, so one rule holds:
// trimmed, NFC, no control characters (C0, DEL, C1, NUL; line breaks only in multi-line fields),
// no bidi controls, no unpaired surrogates, and at least one visible character when not empty.
// Everything a real name needs stays: accents, every script, apostrophes, hyphens, emoji (with
// their zero-width joiners and variation selectors). Old rows may predate the rule, so email
// headers pass through toHeaderLine as well.
import * as z from "zod";

// Zl and Zp (U+2028, U+2029) end a line for JavaScript and many log viewers; Cc covers C0, DEL and C1.
const controlOrLineBreak = /[\p{Cc}\p{Zl}\p{Zp}]/u;
// U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: they reorder how the rest is displayed.
const bidiControl = /\p{Bidi_Control}/u;
// A lone surrogate (JSON "\ud800") or the U+FFFD a browser sends for one: text that cannot be read back.
const unreadable = /[\p{Cs}\uFFFD]/u;
// Shown as nothing: white space, default-ignorable (zero-width, fillers, variation selectors),
// other/format characters, a combining mark with nothing to sit on, and the blank Braille pattern.
const visible = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{C}\p{M}\u2800]/u;
const headerUnsafe = /[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}\p{Cs}]/u;
const headerUnsafeRun = / *[\p{Cc}\p{Zl}\p{Zp}\p{Bidi_Control}\p{Cs}]+ */gu;

function hasVisibleCharacter(value: string): boolean {
  return value === "" || visible.test(value);
}

/** NFC, free of the characters no field may hold; callers add their length and presence rules. */
function checkedText(schema: z.ZodString, label: string): z.ZodString {
  return schema
    .normalize("NFC")
    .refine((value) => !bidiControl.test(value), {
      message: `${label} cannot contain characters that change the writing direction.`,
      abort: true,
    })
    .refine((value) => !unreadable.test(value), {
      message: `${label} contains a character that could not be read; type it again.`,
      abort: true,
    })
    .refine(hasVisibleCharacter, { message: `${label} needs at least one visible character.`, abort: true });
}

/** A name, title or label: one line. `label` starts the error messages ("First name cannot …"). */
export function singleLineTextSchema(label: string): z.ZodString {
  const oneLine = z
    .string()
    .trim()
    .refine((value) => !controlOrLineBreak.test(value), {
      message: `${label} cannot contain line breaks or control characters.`,
      abort: true,
    });
  return checkedText(oneLine, label);
}

/** A description or an update's text: line breaks kept (CRLF and CR become LF), no other control character. */
export function multiLineTextSchema(label: string): z.ZodString {
  const lines = z
    .string()
    .trim()
    .overwrite((value) => value.replace(/\r\n?/g, "\n"))
    .refine((value) => !controlOrLineBreak.test(value.replaceAll("\n", "")), {
      message: `${label} can hold line breaks but no other control characters.`,
      abort: true,
    });
  return checkedText(lines, label);
}

/** Text for an email header (subject, sender): each run of control, line-breaking or direction characters becomes one space. */
export function toHeaderLine(text: string): string {
  return text.replace(headerUnsafeRun, " ").trim();
}

/** Whether an address or header value holds anything toHeaderLine would have to replace. */
export function hasHeaderUnsafeCharacter(text: string): boolean {
  return headerUnsafe.test(text);
}
