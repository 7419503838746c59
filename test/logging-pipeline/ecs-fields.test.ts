/**
 * Every field the index templates map is typed as ECS 8.11 types it, against ECS's own field
 * list (ecs-8.11-fields.json, derived from elastic/ecs v8.11.0 generated/ecs/ecs_flat.yml), and
 * that is the ECS version the pipeline stamps. Fields outside ECS must be in a declared non-ECS set.
 */
import * as fs from "fs";
import * as path from "path";
import { ECS_VERSION, NON_ECS_FIELD_PREFIXES } from "../../components/logging/ecs-mapping";
import { esProperties, indexTemplate, mappedFields } from "../../components/logging/retention";
import { stackConfig } from "../../scripts/lib/stack-config";

interface EcsField {
  type: string;
  index?: boolean;
  doc_values?: boolean;
  multi_fields?: Record<string, string>;
}
const ecs = JSON.parse(fs.readFileSync(path.join(__dirname, "ecs-8.11-fields.json"), "utf8")) as {
  version: string;
  fields: Record<string, EcsField>;
};

type Mapping = { type?: string; index?: boolean; doc_values?: boolean; fields?: Record<string, { type: string }> };

/** The leaf mappings of a template's properties, by dotted field name. */
function leaves(
  props: Record<string, Mapping & { properties?: Record<string, Mapping> }>,
  prefix = "",
): Record<string, Mapping> {
  return Object.fromEntries(
    Object.entries(props).flatMap(([k, v]) => {
      const name = prefix ? `${prefix}.${k}` : k;
      return v.properties ? Object.entries(leaves(v.properties as never, name)) : [[name, v]];
    }),
  );
}

const isNonEcs = (field: string) => NON_ECS_FIELD_PREFIXES.some((p) => field.startsWith(p));

describe("index template mappings against the ECS 8.11 field list", () => {
  it("the pipeline stamps the version the field list is of", () => {
    expect(ECS_VERSION).toBe(ecs.version);
  });

  it.each(["cryoprotect", "kubernetes"] as const)(
    "%s data stream: every ECS field has ECS's type and options",
    (dataset) => {
      const mapped = leaves(indexTemplate(stackConfig("prod"), dataset).template.mappings.properties as never);
      const problems: string[] = [];
      for (const [field, m] of Object.entries(mapped)) {
        if (isNonEcs(field)) continue;
        const want = ecs.fields[field];
        if (!want) {
          problems.push(
            `${field}: not an ECS ${ecs.version} field (name it under ${NON_ECS_FIELD_PREFIXES.join(" or ")})`,
          );
          continue;
        }
        if (m.type !== want.type) problems.push(`${field}: mapped ${m.type}, ECS says ${want.type}`);
        if ((m.index ?? true) !== (want.index ?? true))
          problems.push(`${field}: index ${m.index}, ECS says ${want.index}`);
        if ((m.doc_values ?? true) !== (want.doc_values ?? true)) problems.push(`${field}: doc_values differ from ECS`);
        const multi = Object.fromEntries(Object.entries(m.fields ?? {}).map(([k, v]) => [k, v.type]));
        expect({ field, multi }).toEqual({ field, multi: want.multi_fields ?? {} });
      }
      expect(problems).toEqual([]);
    },
  );

  it("headers live outside ECS, as flattened fields of this platform's own set", () => {
    const mapped = mappedFields("cryoprotect");
    expect(mapped["cryoprotect.http.request.headers"]).toBe("flattened");
    expect(mapped["cryoprotect.http.response.headers"]).toBe("flattened");
    expect(Object.keys(mapped).filter((f) => f.startsWith("http.") && f.endsWith(".headers"))).toEqual([]);
    expect(ecs.fields["http.request.headers"]).toBeUndefined();
  });

  it("the check would catch a drift: a wrong type and a field ECS does not have", () => {
    const drifted = leaves(
      esProperties({ "event.original": "match_only_text", "http.request.headers": "flattened" }) as never,
    );
    expect(drifted["event.original"].type).not.toBe(ecs.fields["event.original"].type);
    expect(ecs.fields["http.request.headers"]).toBeUndefined();
  });
});
