/**
 * What Telegram's HTML parser accepts from us: only the tags we emit
 * (`<a href="…">` when links are allowed), balanced, and `&` only in the four
 * named entities (https://core.telegram.org/bots/api#html-style). Returns the
 * problems found.
 */
export function telegramHtmlProblems(text: string, { links = false } = {}): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const token = /<(\/?)(b|i|code|pre|a)(?: href="([^"<>]*)")?>|&(?:lt|gt|amp|quot);|[<>&]/g;
  for (const m of text.matchAll(token)) {
    if (m[0] === "<" || m[0] === ">" || m[0] === "&") {
      problems.push(`stray ${m[0]} at ${m.index}`);
    } else if (m[2]) {
      if (m[2] === "a" && !links) problems.push(`link at ${m.index}`);
      if (m[2] === "a" && !m[1] && m[3] === undefined)
        problems.push(`<a> without href at ${m.index}`);
      if (m[3] !== undefined && (m[1] || m[2] !== "a")) problems.push(`stray href at ${m.index}`);
      if (m[3] !== undefined) problems.push(...telegramHtmlProblems(m[3]).map((p) => `href: ${p}`));
      if (m[1]) {
        if (stack.pop() !== m[2]) problems.push(`unbalanced </${m[2]}> at ${m.index}`);
      } else stack.push(m[2]);
    }
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(",")}`);
  return problems;
}
