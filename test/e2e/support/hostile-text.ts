// The characters a text field must refuse (docs/SECURITY.md, "Text input: control, invisible and
// direction-changing characters"), grouped by kind. Each field gets one of every kind, and the
// members take turns across fields: every member is sent somewhere without sending every member
// to every field. That keeps the sweep fast, and loses little: one rule guards every field, so a
// member the rule forgets fails wherever it is sent.

export type HostileKind =
  | "NUL"
  | "C0 control"
  | "line break"
  | "DEL"
  | "C1 control"
  | "bidi embedding or override"
  | "bidi isolate"
  | "bidi mark"
  | "lone surrogate"
  | "no visible character";

export interface HostileText {
  kind: HostileKind;
  /** What is inserted into a value (or, for "no visible character", the whole value). */
  text: string;
  /** "U+202E" and so on, for failure messages. */
  label: string;
}

function labelOf(text: string): string {
  return [...text]
    .map((char) => `U+${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}`)
    .join(" ");
}

const members: Record<HostileKind, string[]> = {
  NUL: ["\u0000"],
  "C0 control": ["\u0001", "\u0007", "\u0008", "\u0009", "\u000B", "\u000C", "\u001B", "\u001F"],
  "line break": ["\n", "\r", "\r\n"],
  DEL: ["\u007F"],
  "C1 control": ["\u0080", "\u0085", "\u009B", "\u009F"],
  "bidi embedding or override": ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E"],
  "bidi isolate": ["\u2066", "\u2067", "\u2068", "\u2069"],
  "bidi mark": ["\u200E", "\u200F", "\u061C"],
  // Only JSON can carry one ("\ud800"): a form body is UTF-8, where a lone surrogate cannot be
  // written (a browser sends U+FFFD instead).
  "lone surrogate": ["\uD800", "\uDFFF"],
  "no visible character": ["\u200B", "\u200B\u200C\u200D", "\u2060", "\u200D\uFEFF\u200B"],
};

export interface FieldTraits {
  /** A textarea (an update's text): line feeds are content there. */
  multiLine: boolean;
  /** A name people must give: one made only of invisible characters is refused too. */
  required: boolean;
  /** JSON can carry lone surrogates; a form cannot. */
  json: boolean;
}

/**
 * Hands out hostile texts field by field: one of every kind that applies to the field, each kind
 * cycling through its members, so a few fields are enough for every member to be sent.
 */
export class HostileRotation {
  private readonly handedOut = new Map<HostileKind, number>();

  textsFor(traits: FieldTraits): HostileText[] {
    const kinds = (Object.keys(members) as HostileKind[]).filter((kind) => {
      if (kind === "line break") return !traits.multiLine;
      if (kind === "lone surrogate") return traits.json;
      if (kind === "no visible character") return traits.required;
      return true;
    });
    return kinds.map((kind) => {
      const count = this.handedOut.get(kind) ?? 0;
      this.handedOut.set(kind, count + 1);
      const list = members[kind];
      const text = list[count % list.length] as string;
      return { kind, text, label: labelOf(text) };
    });
  }
}

/** Every member of every kind, to check that the rotation sent each of them at least once. */
export function everyHostileText(): HostileText[] {
  return (Object.keys(members) as HostileKind[]).flatMap((kind) =>
    members[kind].map((text) => ({ kind, text, label: labelOf(text) })),
  );
}

export type TextFormat = "text" | "email" | "slug" | "slack-id";

/** A value of the field's format with the hostile text inside it, where trimming cannot remove it. */
export function hostileValue(format: TextFormat, tag: string, hostile: HostileText): string {
  if (hostile.kind === "no visible character") return hostile.text;
  if (format === "email") return `${tag}${hostile.text}x@input-sweep.example`;
  if (format === "slug") return `${tag}${hostile.text}x`;
  if (format === "slack-id") return `U0${hostile.text}12AB`;
  return `Probe ${tag}${hostile.text}x`;
}
