/**
 * A checker for Logstash's config language (LSCL): sections, plugins with
 * attributes, strings (taken literally, as with config.support_escapes off),
 * numbers, barewords, arrays, hashes and if / else if / else with conditions.
 * It follows the grammar Logstash documents for pipeline configs, so a
 * generated pipeline that it rejects would not load. Returns the plugin names
 * per section, or throws with the position of the first error.
 */
export interface ParsedConfig {
  input: string[];
  filter: string[];
  output: string[];
}

export function parseLscl(text: string): ParsedConfig {
  let pos = 0;
  const plugins: ParsedConfig = { input: [], filter: [], output: [] };

  const fail = (what: string): never => {
    const line = text.slice(0, pos).split("\n").length;
    throw new Error(`LSCL: expected ${what} at line ${line}: ${JSON.stringify(text.slice(pos, pos + 40))}`);
  };
  const peek = (s: string) => text.startsWith(s, pos);
  const eat = (s: string) => (peek(s) ? ((pos += s.length), true) : false);
  const expect = (s: string) => eat(s) || fail(JSON.stringify(s));
  const match = (re: RegExp): string | undefined => {
    const m = new RegExp(re.source, "y");
    m.lastIndex = pos;
    const r = m.exec(text);
    if (r) pos += r[0].length;
    return r?.[0];
  };
  /** Whitespace and comments. */
  const cs = () => {
    while (match(/[ \t\r\n]+/) !== undefined || match(/#[^\n]*(\n|$)/) !== undefined);
  };
  /** Runs a rule; on failure restores the position and reports false. */
  const attempt = (rule: () => unknown): boolean => {
    const start = pos;
    try {
      rule();
      return true;
    } catch {
      pos = start;
      return false;
    }
  };

  const string = (): string => {
    const quote = peek('"') ? '"' : peek("'") ? "'" : fail("a string");
    pos++;
    const start = pos;
    while (pos < text.length && text[pos] !== quote) pos += text[pos] === "\\" && text[pos + 1] === quote ? 2 : 1;
    if (pos >= text.length) fail(`closing ${quote}`);
    pos++;
    return text.slice(start, pos - 1);
  };
  const number = () => match(/-?[0-9]+(\.[0-9]*)?/) ?? fail("a number");
  const bareword = () => match(/[A-Za-z_][A-Za-z0-9_]+/) ?? fail("a bareword");
  const name = () => (peek('"') || peek("'") ? string() : (match(/[A-Za-z0-9_-]+/) ?? fail("a name")));
  const selector = () => match(/(\[[^\][,]+\])+/) ?? fail("a field reference");
  const regexp = () => match(/\/(\\\/|[^/])*\//) ?? fail("a regexp");

  const list = (item: () => unknown) => {
    expect("[");
    cs();
    if (!peek("]")) {
      item();
      for (cs(); eat(","); cs()) {
        cs();
        item();
      }
    }
    cs();
    expect("]");
  };
  const hash = () => {
    expect("{");
    cs();
    while (!peek("}")) {
      if (peek('"') || peek("'")) string();
      else if (match(/-?[0-9]+(\.[0-9]*)?/) === undefined) bareword();
      cs();
      expect("=>");
      cs();
      value();
      cs();
    }
    expect("}");
  };
  const value = (): void => {
    if (peek('"') || peek("'")) string();
    else if (peek("[")) list(value);
    else if (peek("{")) hash();
    else if (/[-0-9]/.test(text[pos])) number();
    else if (!attempt(() => plugin("value"))) bareword();
  };
  const plugin = (section: keyof ParsedConfig | "value") => {
    const pluginName = name();
    cs();
    expect("{");
    cs();
    while (!peek("}")) {
      name();
      cs();
      expect("=>");
      cs();
      value();
      cs();
    }
    expect("}");
    if (section !== "value") plugins[section].push(pluginName);
  };

  const rvalue = () => {
    if (peek('"') || peek("'")) string();
    else if (peek("[")) {
      if (!attempt(selector)) list(rvalue);
    } else if (peek("/")) regexp();
    else number();
  };
  const expression = (): void => {
    if (eat("(")) {
      cs();
      condition();
      cs();
      expect(")");
    } else if (eat("!")) {
      cs();
      if (eat("(")) {
        cs();
        condition();
        cs();
        expect(")");
      } else selector();
    } else {
      rvalue();
      const afterValue = pos;
      cs();
      if (match(/==|!=|<=|>=|<|>/)) {
        cs();
        rvalue();
      } else if (match(/=~|!~/)) {
        cs();
        if (peek("/")) regexp();
        else string();
      } else if (match(/in\b/) || match(/not +in\b/)) {
        cs();
        rvalue();
      } else pos = afterValue;
    }
  };
  const condition = () => {
    expression();
    for (;;) {
      const before = pos;
      cs();
      if (!match(/(and|or|xor|nand)\b/)) {
        pos = before;
        return;
      }
      cs();
      expression();
    }
  };
  const block = (section: keyof ParsedConfig) => {
    expect("{");
    cs();
    while (!peek("}")) {
      if (pos >= text.length) fail('"}"');
      branchOrPlugin(section);
      cs();
    }
    expect("}");
  };
  const branchOrPlugin = (section: keyof ParsedConfig) => {
    if (match(/if\b/)) {
      cs();
      condition();
      cs();
      block(section);
      for (;;) {
        const before = pos;
        cs();
        if (!match(/else\b/)) {
          pos = before;
          return;
        }
        cs();
        if (match(/if\b/)) {
          cs();
          condition();
          cs();
        }
        block(section);
      }
    } else plugin(section);
  };

  cs();
  while (pos < text.length) {
    const section = (match(/(input|filter|output)\b/) ?? fail("input, filter or output")) as keyof ParsedConfig;
    cs();
    block(section);
    cs();
  }
  return plugins;
}
