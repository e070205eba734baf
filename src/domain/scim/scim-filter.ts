// SCIM filters and attribute paths (RFC 7644 §3.4.2.2 Figure 1, §3.5.2 PATH, §3.10): a tokenizer,
// a recursive-descent parser and an in-memory evaluator. Operators, keywords and attribute names
// are case-insensitive; names come out lower-cased. Length and nesting are capped so a hostile
// filter cannot cost more than a small, fixed amount of work.

import { AppError, type ErrorCode } from "../../errors";
import { orderingOperators } from "./scim-filter-match";
import { scimLimits } from "./scim-schemas";

// Evaluating a parsed filter lives beside this module; callers find it here with the parser.
export { getMember, isRecord, matchesScimFilter } from "./scim-filter-match";

export type ComparisonOperator = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

export interface AttributePath {
  uri?: string;
  attribute: string;
  subAttribute?: string;
}

export type ScimFilter =
  | { kind: "and" | "or"; left: ScimFilter; right: ScimFilter }
  | { kind: "not"; filter: ScimFilter }
  | { kind: "present"; path: AttributePath }
  | { kind: "compare"; op: ComparisonOperator; path: AttributePath; value: string | number | boolean | null }
  | { kind: "valuePath"; path: AttributePath; filter: ScimFilter };

export interface PatchPath {
  path: AttributePath;
  filter?: ScimFilter;
  subAttribute?: string;
}

const maxFilterDepth = 32;
const comparisonOperators = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];
// A word runs to the next space, bracket, parenthesis or quote; a string is a JSON string.
const tokenPattern = /\s+|[()[\]]|"(?:[^"\\]|\\.)*"|[^\s()[\]"]+/y;
const namePattern = "\\$?[A-Za-z][\\w-]*";
const attributePathPattern = new RegExp(`^(?:(urn:.+):)?(${namePattern})(?:\\.(${namePattern}))?$`, "i");
const numberPattern = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

interface Token {
  text: string;
  position: number;
}

function tokenize(text: string, code: ErrorCode): Token[] {
  const tokens: Token[] = [];
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < text.length) {
    const position = tokenPattern.lastIndex;
    const match = tokenPattern.exec(text);
    if (!match) throw new AppError(code, { detail: `Unterminated string at position ${position}` });
    if (match[0].trim()) tokens.push({ text: match[0], position });
  }
  return tokens;
}

/** "emails.value", "urn:…:User:userName", "urn:…:enterprise:2.0:User:manager.value", lower-cased. */
export function parseAttributePath(text: string, code: ErrorCode = "SCIM_INVALID_PATH"): AttributePath {
  const match = attributePathPattern.exec(text);
  if (!match) throw new AppError(code, { detail: `'${text}' is not an attribute path` });
  const [, uri, attribute, subAttribute] = match.map((part) => part?.toLowerCase());
  return { attribute: attribute!, ...(uri && { uri }), ...(subAttribute && { subAttribute }) };
}

class Parser {
  index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly code: ErrorCode,
    private readonly length: number,
  ) {}

  fail(detail: string): never {
    throw new AppError(this.code, { detail });
  }

  peek(): string | undefined {
    return this.tokens[this.index]?.text;
  }

  keyword(): string {
    return (this.peek() ?? "").toLowerCase();
  }

  at(): string {
    const token = this.tokens[this.index];
    return token ? `'${token.text}' at position ${token.position}` : `the end (position ${this.length})`;
  }

  expect(text: string): void {
    if (this.peek() !== text) this.fail(`Expected '${text}' but found ${this.at()}`);
    this.index++;
  }

  done(): void {
    if (this.index < this.tokens.length) this.fail(`Unexpected ${this.at()}`);
  }

  nested<T>(parse: () => T): T {
    if (++this.depth > maxFilterDepth) this.fail(`The filter nests deeper than ${maxFilterDepth} levels`);
    const result = parse();
    this.depth--;
    return result;
  }

  filter(insideValuePath: boolean): ScimFilter {
    return this.nested(() => {
      let left = this.conjunction(insideValuePath);
      while (this.keyword() === "or") {
        this.index++;
        left = { kind: "or", left, right: this.conjunction(insideValuePath) };
      }
      return left;
    });
  }

  conjunction(insideValuePath: boolean): ScimFilter {
    let left = this.factor(insideValuePath);
    while (this.keyword() === "and") {
      this.index++;
      left = { kind: "and", left, right: this.factor(insideValuePath) };
    }
    return left;
  }

  factor(insideValuePath: boolean): ScimFilter {
    if (this.keyword() === "not") {
      this.index++;
      return { kind: "not", filter: this.group(insideValuePath) };
    }
    if (this.peek() === "(") return this.group(insideValuePath);
    const path = this.path();
    if (this.peek() !== "[") return this.comparison(path);
    if (insideValuePath) this.fail(`A value filter cannot hold another one, at ${this.at()}`);
    if (path.subAttribute) this.fail(`A value filter applies to an attribute, not '${path.subAttribute}'`);
    return { kind: "valuePath", path, filter: this.valueFilter() };
  }

  group(insideValuePath: boolean): ScimFilter {
    this.expect("(");
    const filter = this.filter(insideValuePath);
    this.expect(")");
    return filter;
  }

  valueFilter(): ScimFilter {
    this.expect("[");
    const filter = this.filter(true);
    this.expect("]");
    return filter;
  }

  path(): AttributePath {
    const token = this.tokens[this.index];
    if (!token || "()[]".includes(token.text) || token.text.startsWith('"')) {
      this.fail(`Expected an attribute name but found ${this.at()}`);
    }
    this.index++;
    return parseAttributePath(token.text, this.code);
  }

  comparison(path: AttributePath): ScimFilter {
    const operator = this.keyword();
    if (operator === "pr") {
      this.index++;
      return { kind: "present", path };
    }
    if (!comparisonOperators.includes(operator)) this.fail(`Unsupported operator ${this.at()}`);
    const operatorAt = this.at();
    this.index++;
    const value = this.value();
    if (orderingOperators.includes(operator) && (typeof value === "boolean" || value === null)) {
      this.fail(`The operator ${operatorAt} cannot compare with ${value}`);
    }
    if (["co", "sw", "ew"].includes(operator) && typeof value !== "string") {
      this.fail(`The operator ${operatorAt} needs a string`);
    }
    return { kind: "compare", op: operator as ComparisonOperator, path, value };
  }

  value(): string | number | boolean | null {
    const text = this.peek() ?? "";
    const literal = { true: true, false: false, null: null }[text.toLowerCase()];
    if (!text.startsWith('"') && literal === undefined && !numberPattern.test(text)) {
      this.fail(`Expected a value (a string, number, true, false or null) but found ${this.at()}`);
    }
    const at = this.at();
    this.index++;
    if (literal !== undefined) return literal;
    try {
      return JSON.parse(text) as string | number;
    } catch {
      this.fail(`The string ${at} is not valid`);
    }
  }
}

function parserFor(text: string, code: ErrorCode, what: string): Parser {
  if (text.length > scimLimits.maxFilterLength) {
    throw new AppError(code, { detail: `The ${what} is longer than ${scimLimits.maxFilterLength} characters` });
  }
  if (!text.trim()) throw new AppError(code, { detail: `The ${what} is empty` });
  return new Parser(tokenize(text, code), code, text.length);
}

export function parseScimFilter(text: string): ScimFilter {
  const parser = parserFor(text, "SCIM_INVALID_FILTER", "filter");
  const filter = parser.filter(false);
  parser.done();
  return filter;
}

/** A PATCH path: attrPath, or valuePath optionally followed by ".subAttr" (RFC 7644 §3.5.2). */
export function parseAttributePathExpression(text: string): PatchPath {
  const parser: Parser = parserFor(text, "SCIM_INVALID_PATH", "path");
  const path = parser.path();
  if (parser.peek() !== "[") {
    parser.done();
    return { path };
  }
  if (path.subAttribute) parser.fail(`A value filter applies to an attribute, not '${path.subAttribute}'`);
  const filter = parser.valueFilter();
  const rest = parser.peek();
  if (rest === undefined) return { path, filter };
  const subAttribute = new RegExp(`^\\.(${namePattern})$`).exec(rest)?.[1];
  if (!subAttribute) parser.fail(`Unexpected ${parser.at()}`);
  parser.index++;
  parser.done();
  return { path, filter, subAttribute: subAttribute.toLowerCase() };
}
