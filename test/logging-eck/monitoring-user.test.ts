/**
 * The monitoring stack's read-only Elasticsearch user: the pure Secret
 * builders, the role, and under the mock runtime the three Secrets, their
 * namespaces and secrecy, the Elasticsearch spec that names them, and the
 * monitoring engine's consumers (Grafana, the elasticsearch-exporter) that
 * read the login by name.
 */
import * as yaml from "js-yaml";
import { elasticsearch } from "../../components/logging/elasticsearch";
import {
  fileRealmSecret,
  monitoringCredentialsSecret,
  monitoringRole,
  monitoringRolesYaml,
  rolesSecret,
} from "../../components/logging/monitoring-user-secrets";
import { monitoringUser } from "../../components/logging/names";
import { ELASTICSEARCH_CREDENTIALS_SECRET } from "../../components/shared/platform";
import { SECRET_MARK } from "../../scripts/lib/mock-runtime";
import { stackConfig } from "../../scripts/lib/stack-config";
import { k8sObjects, ofType, RecordedResource, stackRun, StackRun, STACKS } from "../harness/stack";

const key = (r: RecordedResource) => `${r.type}::${r.name}`;
const metadata = (r: RecordedResource) => r.inputs.metadata as { name: string; namespace: string };

function onlySecret(run: StackRun, name: string, namespace: string): RecordedResource {
  const found = k8sObjects(run, "Secret", name);
  expect(found).toHaveLength(1);
  expect(metadata(found[0]).namespace).toBe(namespace);
  return found[0];
}

describe("the Secret builders", () => {
  const config = stackConfig("prod");
  const moved = { ...config, namespaces: { ...config.namespaces, logging: "logs", monitoring: "obs" } };

  it("the file realm Secret is a basic-auth login with the role, in the logging namespace", () => {
    const secret = fileRealmSecret(moved, "pw-1");
    expect(secret.type).toBe("kubernetes.io/basic-auth");
    expect(secret.metadata).toMatchObject({ name: "cryoprotect-monitoring-user", namespace: "logs" });
    expect(secret.stringData).toEqual({
      username: "cryoprotect-monitoring",
      password: "pw-1",
      roles: "cryoprotect_monitoring",
    });
  });

  it("the roles Secret holds roles.yml, in the logging namespace", () => {
    const secret = rolesSecret(moved);
    expect(secret.metadata).toMatchObject({ name: "cryoprotect-monitoring-roles", namespace: "logs" });
    expect(Object.keys(secret.stringData)).toEqual(["roles.yml"]);
    expect(secret.stringData["roles.yml"]).toBe(monitoringRolesYaml());
  });

  it("the monitoring copy has the monitoring engine's name and keys, in the monitoring namespace", () => {
    const secret = monitoringCredentialsSecret(moved, "pw-2");
    expect(secret.metadata).toMatchObject({ name: ELASTICSEARCH_CREDENTIALS_SECRET, namespace: "obs" });
    expect(secret.stringData).toEqual({ username: "cryoprotect-monitoring", password: "pw-2" });
  });

  it("roles.yml defines the role the user carries: monitor and read_ilm, read-only on logs-*", () => {
    const roles = yaml.load(monitoringRolesYaml()) as Record<string, typeof monitoringRole>;
    expect(Object.keys(roles)).toEqual([monitoringUser.role]);
    expect(roles.cryoprotect_monitoring).toEqual({
      cluster: ["monitor", "read_ilm"],
      indices: [{ names: ["logs-*"], privileges: ["read", "view_index_metadata", "monitor"] }],
    });
    const granted = JSON.stringify(roles);
    for (const writing of ["all", "write", "index", "manage", "create_doc", "delete"]) {
      expect(granted).not.toContain(`"${writing}"`);
    }
  });

  it("the Elasticsearch spec takes users and roles from exactly those Secrets", () => {
    expect(elasticsearch(moved).spec.auth).toEqual({
      fileRealm: [{ secretName: fileRealmSecret(moved, "x").metadata.name }],
      roles: [{ secretName: rolesSecret(moved).metadata.name }],
    });
  });
});

describe.each(STACKS)("the monitoring user in the %s stack", (stack) => {
  const config = stackConfig(stack);
  const { logging, monitoring } = config.namespaces;
  let run: StackRun;
  beforeAll(async () => {
    run = await stackRun(stack);
  });

  function password(): RecordedResource {
    const found = ofType(run, "random:index/randomPassword:RandomPassword").filter((p) =>
      p.parent?.startsWith("cryoprotect:logging:LoggingStack::"),
    );
    expect(found).toHaveLength(1);
    return found[0];
  }

  it("creates the three Secrets in their namespaces as Pulumi secrets, the logins of one generated password", () => {
    const generated = `random-${password().name}`;
    const user = onlySecret(run, monitoringUser.fileRealmSecret, logging);
    const roles = onlySecret(run, monitoringUser.rolesSecret, logging);
    const credentials = onlySecret(run, ELASTICSEARCH_CREDENTIALS_SECRET, monitoring);
    for (const s of [user, roles, credentials]) {
      expect(s.inputs.stringData).toBe(SECRET_MARK);
      expect(s.inputs.data).toBeUndefined();
    }
    expect(user.inputs.type).toBe("kubernetes.io/basic-auth");
    expect(credentials.inputs.type).toBe("kubernetes.io/basic-auth");
    expect(user.rawInputs.stringData).toEqual(fileRealmSecret(config, generated).stringData);
    expect(credentials.rawInputs.stringData).toEqual(monitoringCredentialsSecret(config, generated).stringData);
    expect(roles.rawInputs.stringData).toEqual(rolesSecret(config).stringData);
    expect(JSON.stringify(run.resources.map((r) => r.inputs))).not.toContain(generated);
    expect(JSON.stringify(run.outputs)).not.toContain(generated);
    expect(k8sObjects(run, "ConfigMap").map((c) => JSON.stringify(c.rawInputs))).not.toContainEqual(
      expect.stringContaining(generated),
    );
  });

  it("the Secrets are LoggingStack's and wait for their namespaces", () => {
    const [loggingNs] = k8sObjects(run, "Namespace", logging);
    const [monitoringNs] = k8sObjects(run, "Namespace", monitoring);
    const user = onlySecret(run, monitoringUser.fileRealmSecret, logging);
    const roles = onlySecret(run, monitoringUser.rolesSecret, logging);
    const credentials = onlySecret(run, ELASTICSEARCH_CREDENTIALS_SECRET, monitoring);
    for (const s of [user, roles, credentials]) {
      expect(s.parent).toBe(`cryoprotect:logging:LoggingStack::cryoprotect-${stack}-logging`);
    }
    expect(user.dependsOn).toContain(key(loggingNs));
    expect(roles.dependsOn).toContain(key(loggingNs));
    expect(credentials.dependsOn).toContain(key(monitoringNs));
  });

  it("the Elasticsearch resource names both Secrets in spec.auth and depends on them", () => {
    const [es] = k8sObjects(run, "Elasticsearch");
    expect(es.inputs.spec).toMatchObject({
      auth: {
        fileRealm: [{ secretName: monitoringUser.fileRealmSecret }],
        roles: [{ secretName: monitoringUser.rolesSecret }],
      },
    });
    const user = onlySecret(run, monitoringUser.fileRealmSecret, logging);
    const roles = onlySecret(run, monitoringUser.rolesSecret, logging);
    expect(es.dependsOn).toEqual(expect.arrayContaining([key(user), key(roles)]));
  });

  it("Grafana and the elasticsearch-exporter read an existing Secret in their namespace, with its keys", () => {
    const releases = ofType(run, "kubernetes:helm.sh/v3:Release");
    const [stackRelease] = releases.filter((r) => r.inputs.chart === "kube-prometheus-stack");
    const [exporter] = releases.filter((r) => r.inputs.chart === "prometheus-elasticsearch-exporter");
    type Ref = { name: string; key: string };
    const grafanaEnv = (
      stackRelease.inputs.values as { grafana: { envValueFrom: Record<string, { secretKeyRef: Ref }> } }
    ).grafana.envValueFrom;
    const exporterEnv = (exporter.inputs.values as { extraEnvSecrets: Record<string, { secret: string; key: string }> })
      .extraEnvSecrets;
    const refs: Ref[] = [
      ...Object.values(grafanaEnv).map((e) => e.secretKeyRef),
      ...Object.values(exporterEnv).map((e) => ({ name: e.secret, key: e.key })),
    ];
    expect(refs.length).toBe(4);
    for (const release of [stackRelease, exporter]) expect(release.inputs.namespace).toBe(monitoring);
    for (const ref of refs) {
      const secret = onlySecret(run, ref.name, monitoring);
      expect(Object.keys(secret.rawInputs.stringData as Record<string, string>)).toContain(ref.key);
    }
    expect(new Set(refs.map((r) => r.name))).toEqual(new Set([ELASTICSEARCH_CREDENTIALS_SECRET]));
  });
});
