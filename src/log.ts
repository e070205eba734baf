// Log lines (docs/SECURITY.md "Logs"): one JSON object per line, so no value written into a log
// (a name in a subject, an error message) can end its line, forge the next one, or reorder what a
// terminal shows. JSON.stringify escapes C0 controls, quotes and lone surrogates; it leaves DEL,
// the C1 controls, U+2028/U+2029 and the bidi controls as they are, so those are escaped here too
// (inside a JSON string, which is the only place they can occur in its output).
export type LogLevel = "info" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const escapedAfterStringify = /[\u007f-\u009f\u2028\u2029\p{Bidi_Control}]/gu;

export function formatLogLine(level: LogLevel, event: string, fields: LogFields = {}): string {
  return JSON.stringify({ level, event, ...fields }).replace(
    escapedAfterStringify,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function writeLog(level: LogLevel, event: string, fields: LogFields = {}): void {
  const line = formatLogLine(level, event, fields);
  if (level === "error") console.error(line);
  else console.log(line);
}
