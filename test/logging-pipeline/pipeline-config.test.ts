/** Structure of the generated Logstash pipelines: a filter step for every rule, and the ECK wiring. */
import * as fs from "fs";
import * as path from "path";
import {
  ECS_MAPPINGS,
  fieldRef,
  REDACTION,
  secretJsonMemberRegex,
  secretParamRegex,
} from "../../components/logging/ecs-mapping";
import {
  deadLetterPipeline,
  logstashPipeline,
  logstashPipelines,
  rubyLiteral,
} from "../../components/logging/logstash-config";
import { pipelineArtifacts } from "../../components/logging/pipeline-synth-files";
import { parseLscl } from "./lscl";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

describe.each(STACKS)("%s main.conf", (stack) => {
  const config = stackConfig(stack);
  const conf = logstashPipeline(config);

  test("beats input on 5044", () => {
    expect(conf).toMatch(/input \{\n\s+beats \{\n\s+id => "filebeat"\n\s+port => 5044\n/);
  });

  test("every mapping rule is in the filter with its sources, target and conversion", () => {
    for (const m of ECS_MAPPINGS) {
      const target = m.convert === "timestamp" ? "[@metadata][app_timestamp]" : fieldRef(m.to);
      expect(conf).toContain(
        `[${m.from.map((f) => JSON.stringify(fieldRef(f))).join(", ")}], "${target}", "${m.convert}"]`,
      );
    }
    expect(conf).toMatch(
      /date \{[^}]*match => \["\[@metadata\]\[app_timestamp\]", "ISO8601"\][^}]*target => "@timestamp"/,
    );
  });

  test("every redaction rule is in the filter", () => {
    for (const h of REDACTION.secretHeaders) expect(conf).toContain(`"${h}"`);
    for (const f of [...REDACTION.headerFields, ...REDACTION.textFields]) expect(conf).toContain(`"${fieldRef(f)}"`);
    expect(conf).toContain(`@cp_secret_param_re = Regexp.new(${rubyLiteral(secretParamRegex())}, Regexp::IGNORECASE)`);
    expect(conf).toContain(`Regexp.new(${rubyLiteral(REDACTION.secretHeaderPattern)}, Regexp::IGNORECASE)`);
    expect(conf).toContain(
      `@cp_secret_json_re = Regexp.new(${rubyLiteral(secretJsonMemberRegex())}, Regexp::IGNORECASE)`,
    );
  });

  test("health-check paths, the app's selector and the log format come from the stack config", () => {
    expect(conf).toContain(`@cp_health_paths = ${rubyLiteral(config.app.healthCheckPaths)}`);
    expect(conf).toContain(`@cp_app_namespace = ${rubyLiteral(config.app.namespace)}`);
    expect(conf).toContain(`@cp_app_labels = ${rubyLiteral(config.app.serviceSelector)}`);
    expect(conf).toContain(`@cp_log_format = "${config.app.logFormat}"`);
    expect(conf).toContain(`@cp_service_name = "${config.app.name}"`);
  });

  test("routes to the two data streams through ECK's Elasticsearch reference", () => {
    for (const dataset of ["cryoprotect", "kubernetes"]) {
      expect(conf).toContain(`data_stream_dataset => "${dataset}"`);
    }
    expect(conf.match(/data_stream => true/g)).toHaveLength(2);
    expect(conf.match(new RegExp(`data_stream_namespace => "${config.environment}"`, "g"))).toHaveLength(2);
    expect(conf).toContain('hosts => ["${ECK_ES_HOSTS}"]');
    expect(conf).toContain('user => "${ECK_ES_USER}"');
    expect(conf).toContain('password => "${ECK_ES_PASSWORD}"');
    expect(conf).toContain('ssl_certificate_authorities => ["${ECK_ES_SSL_CERTIFICATE_AUTHORITY}"]');
    expect(conf).toMatch(/if \[data_stream\]\[dataset\] == "cryoprotect" \{/);
  });

  test("braces balance and plugin ids are unique", () => {
    const outsideStrings = conf.replace(/'[^']*'|"[^"]*"/g, "");
    expect(outsideStrings.split("{").length).toBe(outsideStrings.split("}").length);
    const ids = [...conf.matchAll(/\bid => "([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("dead-letter pipeline", () => {
  const config = stackConfig("prod");
  const conf = deadLetterPipeline(config, "/usr/share/logstash/dlq");

  test("reads the main pipeline's dead-letter queue and re-indexes the original as text", () => {
    expect(conf).toMatch(/dead_letter_queue \{[^}]*path => "\/usr\/share\/logstash\/dlq"[^}]*pipeline_id => "main"/);
    expect(conf).toContain('"[event][original]" => "%{[@metadata][original]}"');
    expect(conf).toContain('"[error][message]" => "%{[@metadata][dead_letter_queue][reason]}"');
    expect(conf).toContain('whitelist_names => ["^@timestamp$", "^data_stream$", "^tags$"]');
    expect(conf.match(/data_stream => true/g)).toHaveLength(2);
  });

  test("both pipelines are listed for pipelines.yml", () => {
    expect(logstashPipelines("/p")).toEqual([
      { "pipeline.id": "main", "path.config": "/p/main.conf" },
      { "pipeline.id": "dead-letter", "path.config": "/p/dead-letter.conf" },
    ]);
  });
});

test("a config value that would end the single-quoted Ruby code is refused", () => {
  const config = stackConfig("dev");
  expect(() => logstashPipeline({ ...config, app: { ...config.app, name: "it's-api" } })).toThrow(/single quote/);
});

test("Ruby literals escape interpolation and quotes; unsupported values throw", () => {
  expect(rubyLiteral('a"#{x}')).toBe('"a\\"\\#{x}"');
  expect(rubyLiteral({ k: [1, true] })).toBe('{"k" => [1, true]}');
  expect(() => rubyLiteral(null)).toThrow(/no Ruby literal/);
});

test.each(STACKS)(
  "%s synth files of the pipeline part: pipelines, retention, Kibana objects, ElastAlert2 rules",
  (stack) => {
    const config = stackConfig(stack);
    const files = pipelineArtifacts(config);
    expect(Object.keys(files).sort()).toEqual([
      "elastalert/rules/CriticalLogLine.yaml",
      "elastalert/rules/ErrorLogSpike.yaml",
      "elastalert/rules/NewExceptionType.yaml",
      `elasticsearch/ilm/logs-cryoprotect-${stack}.json`,
      `elasticsearch/ilm/logs-kubernetes-${stack}.json`,
      `elasticsearch/index-templates/logs-cryoprotect-${stack}.json`,
      `elasticsearch/index-templates/logs-kubernetes-${stack}.json`,
      "kibana/saved-objects.ndjson",
      "logstash/pipeline/dead-letter.conf",
      "logstash/pipeline/main.conf",
    ]);
    expect(files["logstash/pipeline/main.conf"]).toBe(logstashPipeline(config));
    expect(pipelineArtifacts(config, "http://am.example:9093")["elastalert/rules/ErrorLogSpike.yaml"]).toContain(
      "http://am.example:9093",
    );
  },
);

test("dev and prod pipelines differ as configured", () => {
  const [dev, prod] = STACKS.map((s) => pipelineArtifacts(stackConfig(s)));
  expect(dev["logstash/pipeline/main.conf"]).toContain('data_stream_namespace => "dev"');
  expect(prod["logstash/pipeline/main.conf"]).toContain('data_stream_namespace => "prod"');
  expect(dev["elastalert/rules/ErrorLogSpike.yaml"]).toContain("num_events: 20");
  expect(prod["elastalert/rules/ErrorLogSpike.yaml"]).toContain("num_events: 50");
});

test("docs/logging-pipeline.md lists every mapping rule and every secret header", () => {
  const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "logging-pipeline.md"), "utf8");
  for (const m of ECS_MAPPINGS) {
    expect(doc).toContain(`| ${m.from.map((f) => `\`${f}\``).join(", ")} | \`${m.to}\` |`);
  }
  for (const h of REDACTION.secretHeaders) expect(doc.toLowerCase()).toContain(`\`${h}\``);
});

describe("Logstash config syntax", () => {
  test.each(STACKS.flatMap((s) => [`${s}/json`, `${s}/ecs`]))(
    "%s: both pipelines parse, with the expected plugins",
    (key) => {
      const [stack, format] = key.split("/") as [string, "json" | "ecs"];
      const base = stackConfig(stack);
      const config = { ...base, app: { ...base.app, logFormat: format } };
      expect(parseLscl(logstashPipeline(config))).toEqual({
        input: ["beats"],
        filter: ["ruby", "date"],
        output: ["elasticsearch", "elasticsearch"],
      });
      expect(parseLscl(deadLetterPipeline(config, "/dlq"))).toEqual({
        input: ["dead_letter_queue"],
        filter: ["ruby", "prune", "mutate"],
        output: ["elasticsearch", "elasticsearch"],
      });
    },
  );

  test("the checker accepts the language's other forms and rejects broken configs", () => {
    const ok = `# comment
input { stdin { } }
filter {
  if [a][b] =~ /x\\/y/ and "t" in [tags] { mutate { add_tag => ["x", 'y'] replace => { "k" => 1.5 } } }
  else if !([c] == -2 or [d]) { drop { } } else { noop { enabled => true } }
}
output { stdout { codec => rubydebug { metadata => true } } }
`;
    expect(parseLscl(ok)).toEqual({ input: ["stdin"], filter: ["mutate", "drop", "noop"], output: ["stdout"] });
    expect(() => parseLscl('input { beats { port => "5044 } }')).toThrow(/closing/);
    expect(() => parseLscl("input { beats { port 5044 } }")).toThrow(/"=>"/);
    expect(() => parseLscl("input { beats { port => 5044 }")).toThrow(/"}"/);
    expect(() => parseLscl("inputs { }")).toThrow(/input, filter or output/);
    expect(() => parseLscl(`filter { ruby { code => 'a = 'b'' } }`)).toThrow(/LSCL/);
  });
});
