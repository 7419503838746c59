/**
 * Kibana, and the ingress that exposes it when the stack asks for one. ECK
 * serves Kibana over HTTPS with its own certificate, so the ingress speaks
 * HTTPS to the backend and terminates the public TLS with the stack's secret.
 */
import { IngressConfig, StackConfig } from "../../configs/types";
import { eckApiVersions, Kibana } from "./eck-types";
import { ELASTIC_IMAGE_UID, elasticsearchName, kibanaHttpPort, kibanaHttpService, kibanaName } from "./names";
import { guaranteedResources } from "../shared/resources";
import { ingressTlsAnnotations } from "../shared/ingress-tls";
import {
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  restrictedPodSecurityContext,
  scratchVolume,
} from "../shared/pod-security";

export function kibana(config: StackConfig): Kibana {
  const kb = config.logging.kibana;
  return {
    apiVersion: eckApiVersions.Kibana,
    kind: "Kibana",
    metadata: { name: kibanaName, namespace: config.namespaces.logging },
    spec: {
      version: config.logging.elasticsearch.version,
      count: kb.replicas,
      elasticsearchRef: { name: elasticsearchName },
      // Links Kibana builds (alerts, shared URLs) must use the public address.
      ...(kb.ingress ? { config: { "server.publicBaseUrl": `https://${kb.ingress.host}` } } : {}),
      podTemplate: {
        spec: {
          securityContext: restrictedPodSecurityContext(ELASTIC_IMAGE_UID),
          containers: [
            {
              name: "kibana",
              resources: guaranteedResources(kb.resources),
              // ECK mounts Kibana's data and config directories; /tmp is the only other place it writes.
              securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [scratchVolume("tmp")],
        },
      },
    },
  };
}

/** A networking.k8s.io/v1 Ingress object (metadata + spec) for Kibana. */
export function kibanaIngress(config: StackConfig, ingress: IngressConfig) {
  return {
    metadata: {
      name: `${kibanaName}-kibana`,
      namespace: config.namespaces.logging,
      annotations: {
        "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
        ...ingressTlsAnnotations(ingress.tls),
      } as Record<string, string>,
    },
    spec: {
      ingressClassName: ingress.className,
      tls: [{ hosts: [ingress.host], secretName: ingress.tls.secretName }],
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: kibanaHttpService, port: { number: kibanaHttpPort } } },
              },
            ],
          },
        },
      ],
    },
  };
}
