/** The Alertmanager config generator as a pure function. */
import * as yaml from "js-yaml";
import { ruleGroups } from "../../components/catalog";
import { alertmanagerArtifacts } from "../../components/monitoring/alertmanager-artifacts";
import {
  alertmanagerConfig,
  alertmanagerSecretData,
  apiAlertNamesOf,
  CONFIG_FILE,
  NULL_RECEIVER,
  fileSecretPlaceholder,
  SecretLookup,
} from "../../components/monitoring/alertmanager-config";
import { TEMPLATE_FILE } from "../../components/monitoring/alertmanager-template";
import { StackConfig } from "../../configs/types";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

const sentinel: SecretLookup = (key, use) => `S3CRET-${use}-${key}`;

function withRouting(config: StackConfig, routing: Partial<StackConfig["monitoring"]["alertmanager"]["routing"]>) {
  const am = config.monitoring.alertmanager;
  return {
    ...config,
    monitoring: { ...config.monitoring, alertmanager: { ...am, routing: { ...am.routing, ...routing } } },
  };
}

describe.each(STACKS)("alertmanagerConfig(%s)", (stack) => {
  const config = stackConfig(stack);
  const am = config.monitoring.alertmanager;
  const cfg = alertmanagerConfig(config, sentinel, apiAlertNamesOf(ruleGroups(config)));

  it("groups by alertname and namespace and sends the Watchdog first, often, to the heartbeat receiver", () => {
    expect(cfg.route.group_by).toEqual(["alertname", "namespace"]);
    const [first] = cfg.route.routes!;
    expect(first).toMatchObject({ receiver: am.routing.heartbeat, matchers: ['alertname="Watchdog"'] });
    expect(first.continue).toBeUndefined();
    expect(first.repeat_interval).toBe("1m");
  });

  it("fans critical alerts out to every critical receiver with continue on all but the last", () => {
    const critical = cfg.route.routes!.filter((r) => r.matchers?.includes('severity="critical"'));
    expect(critical.map((r) => r.receiver)).toEqual(am.routing.critical);
    expect(critical.map((r) => r.continue === true)).toEqual(am.routing.critical.map((_, i, a) => i < a.length - 1));
  });

  it("defines every configured receiver plus the null receiver, with secrets only from the lookup", () => {
    expect(cfg.receivers.map((r) => r.name)).toEqual([...am.receivers.map((r) => r.name), NULL_RECEIVER]);
    const text = JSON.stringify(cfg.receivers);
    for (const r of am.receivers) expect(text).toMatch(new RegExp(`S3CRET-(url|token)-${r.secret}`));
  });

  it("inhibits warnings by the same alert's critical in the same namespace", () => {
    expect(cfg.inhibit_rules).toContainEqual({
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: ["alertname", "namespace"],
    });
  });

  it("lets ApiServiceDown silence every other API and SLO alert of the catalog, and the API's probe", () => {
    const rule = cfg.inhibit_rules.find((r) => r.source_matchers[0] === 'alertname="ApiServiceDown"')!;
    const names = /^alertname=~"(.*)"$/.exec(rule.target_matchers[0])![1].split("|");
    const catalogApi = [
      ...ruleGroups(config)
        .filter((g) => g.component === "api" || g.component === "slo")
        .flatMap((g) => g.alerts.map((a) => a.name)),
      // The probe of the API's health URL fails with it; the ingress probes do not.
      "ApiProbeFailed",
    ];
    expect(names).not.toContain("ProbeSlow");
    expect(names.sort()).toEqual([...new Set(catalogApi.filter((n) => n !== "ApiServiceDown"))].sort());
    expect(names).toEqual(expect.arrayContaining(["HighErrorRate", "HighLatency", "EndpointDown"]));
    expect(names).not.toContain("ApiServiceDown");
    expect(rule.equal).toBeUndefined();
  });

  it("synth files hold placeholders for every receiver secret and parse back to the same config", () => {
    const files = alertmanagerArtifacts(config);
    expect(Object.keys(files).sort()).toEqual([
      `alertmanager/${CONFIG_FILE}`,
      `alertmanager/templates/${TEMPLATE_FILE}`,
    ]);
    const text = files[`alertmanager/${CONFIG_FILE}`];
    for (const r of am.receivers) expect(text).toContain(`<secret:${r.secret}>`);
    expect(yaml.load(text)).toEqual(
      JSON.parse(
        JSON.stringify(alertmanagerConfig(config, fileSecretPlaceholder, apiAlertNamesOf(ruleGroups(config)))),
      ),
    );
  });

  it("puts the real secret values into the Secret's data, never the placeholders", () => {
    const data = alertmanagerSecretData(config, sentinel, ["HighErrorRate"]);
    expect(data[CONFIG_FILE]).not.toContain("<secret:");
    for (const r of am.receivers) expect(data[CONFIG_FILE]).toMatch(new RegExp(`S3CRET-(url|token)-${r.secret}`));
  });
});

describe("routing variants", () => {
  const prod = stackConfig("prod");

  it("info alerts go to the info receiver when set, else to the null receiver", () => {
    const info = (c: StackConfig) =>
      alertmanagerConfig(c, fileSecretPlaceholder, ["HighErrorRate"]).route.routes!.find((r) =>
        r.matchers?.includes('severity="info"'),
      )!.receiver;
    expect(info(prod)).toBe("ops-tickets");
    expect(info(withRouting(prod, { info: null }))).toBe(NULL_RECEIVER);
  });

  it("several warning receivers each get warnings; the first is the default for unknown severities", () => {
    const cfg = alertmanagerConfig(
      withRouting(prod, { warning: ["team-chat", "ops-tickets"] }),
      fileSecretPlaceholder,
      [],
    );
    const warning = cfg.route.routes!.filter((r) => r.matchers?.includes('severity="warning"'));
    expect(warning.map((r) => [r.receiver, r.continue === true])).toEqual([
      ["team-chat", true],
      ["ops-tickets", false],
    ]);
    expect(cfg.route.receiver).toBe("team-chat");
  });

  it("placeholders are valid http(s) URLs where Alertmanager requires one", () => {
    expect(new URL(fileSecretPlaceholder("slackWebhookUrl", "url")).hostname).toBe("secret.invalid");
    expect(fileSecretPlaceholder("pagerdutyRoutingKey", "token")).toBe("<secret:pagerdutyRoutingKey>");
  });

  it("apiAlertNamesOf takes api and slo groups only and never ApiServiceDown", () => {
    const names = apiAlertNamesOf([
      { component: "api", alerts: [{ name: "ApiServiceDown" }, { name: "HighErrorRate" }] },
      { component: "slo", alerts: [{ name: "ApiAvailabilityBudgetBurn" }] },
      { component: "system", alerts: [{ name: "NodeDown" }] },
    ]);
    expect(names).toContain("ApiAvailabilityBudgetBurn");
    expect(names).toEqual(["ApiAvailabilityBudgetBurn", "HighErrorRate"]);
    expect(names).not.toContain("NodeDown");
    expect(names).not.toContain("ApiServiceDown");
  });
});
