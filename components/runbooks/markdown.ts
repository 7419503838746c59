/** Markdown pieces for values that may differ between stacks. */
import { SharedValue } from "./stacks";

export function fence(language: string, body: string): string {
  // A fence longer than any backtick run inside keeps the block closed.
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const marks = "`".repeat(longest + 1);
  return `${marks}${language}\n${body.trimEnd()}\n${marks}`;
}

export function numbered(steps: string[]): string {
  return steps.map((step, i) => `${i + 1}. ${step}`).join("\n");
}

/** For a table cell: the value, or each distinct value followed by where it applies. */
export function inline<T>(groups: SharedValue<T>[], format: (value: T) => string): string {
  if (groups.length === 1) return format(groups[0].value);
  return groups.map((g) => `${format(g.value)} (${g.where})`).join("; ");
}

/** For a block: the value, or one labelled block per distinct value. */
export function block<T>(groups: SharedValue<T>[], format: (value: T) => string): string {
  if (groups.length === 1) return format(groups[0].value);
  return groups.map((g) => `**${g.label}:**\n\n${format(g.value)}`).join("\n\n");
}

/** A table cell must not break the table. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}
