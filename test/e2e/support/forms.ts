// Forms and links read from the app's own server-rendered HTML, for the probes that run over HTTP
// without a browser (input-sweep.e2e.ts): which fields a person types into, and what a browser
// would submit for the rest (hidden inputs, the selected option, checked boxes). The markup is
// ours (hono/jsx: double-quoted, escaped attributes), so a tag scanner is enough; a page that
// broke it would show up as a form with no fields, which the probes' floor of known forms catches.
import type { HttpClient } from "./http";
import { currentRun } from "./run";

export interface FormControl {
  tag: "input" | "select" | "textarea" | "button";
  /** The input's type; "select", "textarea", or the button's type. */
  type: string;
  name: string;
  /** What the page shows: the value attribute, the selected option, the textarea's text. */
  value: string;
  /** A select's option values, in order. */
  options: string[];
  checked: boolean;
  readOnly: boolean;
  hidden: boolean;
  disabled: boolean;
  required: boolean;
  /** aria-invalid="true": the page marks this field as the one that was refused. */
  invalid: boolean;
}

export interface HtmlForm {
  method: "get" | "post";
  /** The action as a path (and query) on our origin. */
  action: string;
  controls: FormControl[];
}

export interface DiscoveredForm extends HtmlForm {
  /** The page that showed it. */
  page: string;
  /** Who saw it (the client that posts it). */
  client: HttpClient;
  /** One key per kind of form: the action with ids and slugs replaced, and its field names. */
  shape: string;
}

const textInputTypes = new Set(["text", "email", "search", "url", "tel"]);
const dateInputTypes = new Set(["datetime-local", "date"]);

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(Number(lower.slice(1)));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower] ?? entity;
  });
}

function readAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = (match[1] as string).toLowerCase();
    attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ""));
  }
  return attributes;
}

function controlFrom(tag: FormControl["tag"], attributes: Map<string, string>): FormControl {
  return {
    tag,
    type:
      tag === "input"
        ? (attributes.get("type") ?? "text").toLowerCase()
        : tag === "button"
          ? (attributes.get("type") ?? "submit")
          : tag,
    name: attributes.get("name") ?? "",
    value: attributes.get("value") ?? "",
    options: [],
    checked: attributes.has("checked"),
    readOnly: attributes.has("readonly"),
    hidden: attributes.has("hidden"),
    disabled: attributes.has("disabled"),
    required: attributes.has("required"),
    invalid: attributes.get("aria-invalid") === "true",
  };
}

/** Every form of a page with its controls, as a browser would see them before anyone types. */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  let form: HtmlForm | null = null;
  let select: FormControl | null = null;
  let selectHasSelected = false;
  const tags = /<(\/?)(form|input|select|option|textarea|button)\b([^>]*)>/gi;
  for (let match = tags.exec(html); match !== null; match = tags.exec(html)) {
    const closing = match[1] === "/";
    const tag = (match[2] as string).toLowerCase();
    const attributes = readAttributes(match[3] ?? "");
    if (tag === "form") {
      if (closing) form = null;
      else {
        const action = new URL(attributes.get("action") ?? "", currentRun().baseUrl);
        form = {
          method: attributes.get("method")?.toLowerCase() === "post" ? "post" : "get",
          action: action.pathname + action.search,
          controls: [],
        };
        forms.push(form);
      }
      continue;
    }
    if (!form || closing) {
      if (tag === "select") select = null;
      continue;
    }
    if (tag === "textarea") {
      const end = html.indexOf("</textarea>", tags.lastIndex);
      const control = controlFrom("textarea", attributes);
      control.value = decodeEntities(html.slice(tags.lastIndex, end === -1 ? undefined : end));
      form.controls.push(control);
      if (end !== -1) tags.lastIndex = end;
    } else if (tag === "select") {
      select = controlFrom("select", attributes);
      selectHasSelected = false;
      form.controls.push(select);
    } else if (tag === "option" && select) {
      const value =
        attributes.get("value") ?? decodeEntities(html.slice(tags.lastIndex, html.indexOf("<", tags.lastIndex)).trim());
      select.options.push(value);
      if (select.options.length === 1 || (attributes.has("selected") && !selectHasSelected)) select.value = value;
      if (attributes.has("selected")) selectHasSelected = true;
    } else if (tag === "input" || tag === "button") {
      form.controls.push(controlFrom(tag, attributes));
    }
  }
  return forms;
}

/** Fields a person types text into (not credentials: password inputs are never text here). */
export function isTextField(control: FormControl): boolean {
  const typeable = control.tag === "textarea" || (control.tag === "input" && textInputTypes.has(control.type));
  return typeable && control.name !== "" && !control.readOnly && !control.hidden && !control.disabled;
}

export function isDateField(control: FormControl): boolean {
  return (
    control.tag === "input" &&
    dateInputTypes.has(control.type) &&
    control.name !== "" &&
    !control.readOnly &&
    !control.disabled
  );
}

/**
 * What submitting the form unchanged sends, in document order: inputs and textareas as shown, the
 * selected option, checked boxes, and the first submit button if it has a name. `values` replaces
 * the value of the named controls (the first of each name).
 */
export function formEntries(form: HtmlForm, values: Record<string, string> = {}): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const replaced = new Set<string>();
  const submitter = form.controls.find(
    (control) =>
      (control.tag === "button" && control.type === "submit") || (control.tag === "input" && control.type === "submit"),
  );
  for (const control of form.controls) {
    if (control.name === "" || control.disabled) continue;
    if (control.tag === "button" || ["submit", "button", "reset", "image", "file"].includes(control.type)) {
      if (control === submitter) entries.push([control.name, control.value]);
      continue;
    }
    if ((control.type === "checkbox" || control.type === "radio") && !control.checked) continue;
    let value = control.type === "checkbox" || control.type === "radio" ? control.value || "on" : control.value;
    if (control.name in values && !replaced.has(control.name)) {
      value = values[control.name] as string;
      replaced.add(control.name);
    }
    entries.push([control.name, value]);
  }
  return entries;
}

/** "/admin/users/usr_1f…/memberships" → "/admin/users/:id/memberships"; tenant slugs become ":slug". */
export function pathShape(path: string): string {
  const pathname = path.split("?")[0] ?? path;
  return pathname
    .replace(/\/(usr|tnt|mbr|upd|msg|tok|grp|rc)_[A-Za-z0-9_]+/g, "/:id")
    .replace(/^\/(admin\/tenants|tenants|portal)\/[^/]+/, "/$1/:slug");
}

function formShape(form: HtmlForm): string {
  const fields = form.controls
    .filter((control) => control.name !== "")
    .map((control) => `${control.name}:${control.type}`);
  return `${form.method.toUpperCase()} ${pathShape(form.action)} [${[...new Set(fields)].sort().join(" ")}]`;
}

function linksIn(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*?\shref="([^"]*)"/gi)].map((match) => decodeEntities(match[1] as string));
}

/**
 * Follows every same-origin link from `start` over HTTP, opening one page of each path shape
 * (the form on one user's page stands for every user's), and returns each kind of form once.
 * GET never changes anything in Gatehouse, so following every link is safe.
 */
export async function discoverFormsOverHttp(
  client: HttpClient,
  start: string[],
  maxPages = 80,
): Promise<{ forms: DiscoveredForm[]; pagesVisited: number }> {
  const baseUrl = currentRun().baseUrl;
  const queue = [...start];
  const seenShapes = new Set<string>();
  const forms = new Map<string, DiscoveredForm>();
  let pagesVisited = 0;
  while (queue.length > 0 && pagesVisited < maxPages) {
    const path = queue.shift() as string;
    if (seenShapes.has(pathShape(path))) continue;
    seenShapes.add(pathShape(path));
    const answer = await client.get(path);
    if (answer.status >= 300 && answer.status < 400 && answer.location) {
      const next = new URL(answer.location, baseUrl);
      if (next.origin === baseUrl) queue.unshift(next.pathname + next.search);
      continue;
    }
    if (!answer.headers["content-type"]?.startsWith("text/html")) continue;
    pagesVisited += 1;
    for (const form of parseForms(answer.text)) {
      const shape = formShape(form);
      if (!forms.has(shape)) forms.set(shape, { ...form, page: path, client, shape });
    }
    for (const href of linksIn(answer.text)) {
      const url = new URL(href, new URL(path, baseUrl));
      if (url.origin !== baseUrl || url.pathname.startsWith("/setup/") || url.pathname.startsWith("/static/")) continue;
      if (!seenShapes.has(pathShape(url.pathname))) queue.push(url.pathname + url.search);
    }
  }
  return { forms: [...forms.values()], pagesVisited };
}
