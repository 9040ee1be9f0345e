/**
 * The environment a service's container gets from the objects it is deployed with (ConfigMaps and
 * Secrets resolved), and its check by the service's own config module. Shared by the kustomize and
 * the Helm tests.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { configSpec } from "@talk/host";
import { type ConfigSpec, ConfigError, loadConfig } from "@talk/kit";
import { type K8sObject, ROOT } from "./k8s";

export const SERVICES = [
  "api-gateway",
  "agent-manager",
  "chat-manager",
  "message-manager",
  "file-manager",
  "push",
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The value of a Secret key, from stringData or (base64) data. */
export function secretValue(secret: K8sObject, key: string): string | undefined {
  if (secret.stringData?.[key] !== undefined) return String(secret.stringData[key]);
  if (secret.data?.[key] !== undefined)
    return Buffer.from(String(secret.data[key]), "base64").toString("utf8");
  return undefined;
}

/**
 * The environment a container gets in an overlay, with every reference resolved; unresolved ones are
 * reported. `fromSecrets` names the variables whose values come from a Secret.
 */
export function containerEnvironment(
  c: any,
  from: K8sObject[],
): { env: Record<string, string>; problems: string[]; fromSecrets: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  const fromSecrets: string[] = [];
  const find = (kind: string, name: string) => from.find((o) => o.kind === kind && o.metadata.name === name);
  for (const source of c.envFrom ?? []) {
    if (source.configMapRef) {
      const cm = find("ConfigMap", source.configMapRef.name);
      if (!cm) problems.push(`envFrom configMapRef ${source.configMapRef.name} does not exist`);
      else Object.assign(env, cm.data ?? {});
    } else if (source.secretRef) {
      const secret = find("Secret", source.secretRef.name);
      if (!secret) problems.push(`envFrom secretRef ${source.secretRef.name} does not exist`);
      else
        for (const key of Object.keys({ ...secret.data, ...secret.stringData })) {
          env[key] = secretValue(secret, key)!;
          fromSecrets.push(key);
        }
    }
  }
  for (const variable of c.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = String(variable.value);
    const { configMapKeyRef, secretKeyRef } = variable.valueFrom ?? {};
    if (configMapKeyRef) {
      const value = find("ConfigMap", configMapKeyRef.name)?.data?.[configMapKeyRef.key];
      if (value === undefined)
        problems.push(
          `${variable.name}: ConfigMap ${configMapKeyRef.name} has no key ${configMapKeyRef.key}`,
        );
      else env[variable.name] = String(value);
    }
    if (secretKeyRef) {
      const secret = find("Secret", secretKeyRef.name);
      const value = secret && secretValue(secret, secretKeyRef.key);
      if (value === undefined)
        problems.push(`${variable.name}: Secret ${secretKeyRef.name} has no key ${secretKeyRef.key}`);
      else {
        env[variable.name] = value;
        fromSecrets.push(variable.name);
      }
    }
  }
  return { env, problems, fromSecrets };
}

/** The environment with real secrets in place of the examples: a URL keeps all but its password. */
export function withRealSecrets(env: Record<string, string>, secrets: string[]): Record<string, string> {
  const real = { ...env };
  for (const name of secrets) {
    const value = env[name]!;
    if (/^[a-z]+:\/\//.test(value)) {
      const url = new URL(value);
      url.password = randomBytes(24).toString("hex");
      real[name] = url.toString();
    } else real[name] = randomBytes(48).toString("base64");
  }
  return real;
}

/** The variables each service reads at start: its definition's, as @talk/host loads them. */
export async function configOf(service: string): Promise<ConfigSpec> {
  const module = (await import(join(ROOT, "services", service, "src", "app.ts"))) as {
    service: Parameters<typeof configSpec>[0];
  };
  return configSpec(module.service);
}

/** Checks an environment with the service's own validation; returns its problems. */
export function configProblems(spec: ConfigSpec, env: Record<string, string>): string[] {
  try {
    loadConfig(spec, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
